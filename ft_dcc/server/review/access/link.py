"""An opened review link: who made it, what it opens and who it acts as (the value
:func:`ft_dcc.server.review.access.links.open_link` gives every review route; the rules that open
one are there, the client rules in :mod:`ft_dcc.server.review.access.client_gate`, which reads this
module only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.claim_records import claimed_user
from ft_dcc.server.review.access.identity import Invitee, collaborator_id, writing_as
from ft_dcc.server.store.store import Execute

NO_IDENTITY = (
    "This is the session's shared link: say who you are first (pick yourself or add yourself "
    "at the top of the review page, POST /review/<id>/whoami), or use your own invitation link."
)


@dataclass
class Link:
    """An opened review link."""

    token: str
    maker_id: str
    review_session_id: Optional[str]
    #: when the link stops working (Unix seconds)
    expires: float = 0.0
    invitee: Optional[Invitee] = None
    #: the session's shared room link (made for the session or every session, not for an
    #: invitee, not personal): it acts as no one
    shared: bool = False
    #: the maker's own link: it acts as the User who made it
    personal: bool = False
    #: the viewer's passphrase grant the link was opened with (the session asks for one)
    passed: Optional[str] = None

    @property
    def who(self) -> str:
        """Who the link acts as, for the audit trail: ``invitee:<id>``, ``user:<id>`` (a
        personal link) or ``room``."""
        if self.invitee is not None:
            return f"invitee:{self.invitee.id}"
        if self.personal:
            return f"user:{self.maker_id}"
        return "room"

    @property
    def counted_as(self) -> str:
        """What a wrong passphrase answer through this link is counted on: the session and the
        whole token (read strictly, a token has one spelling: none escapes its link's count)."""
        return f"{self.review_session_id}:{self.token}"

    def writer(self, store: StoreParts, execute: Execute) -> Tuple[Execute, str]:
        """How this link writes: ``execute`` (making the invitee's collaborator on the first
        write) and the author's User id; a personal link writes as its maker; a shared link
        without an identity writes nothing."""
        if self.personal:
            return execute, self.maker_id
        if self.invitee is None:
            raise ApiOperationError(NO_IDENTITY, "PermissionError")
        author = claimed_user(store, self.invitee) or collaborator_id(self.invitee)
        return writing_as(execute, self.invitee, author), author
