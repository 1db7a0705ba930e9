"""Presenter mode of the review page: one page leads, every other page of the session follows.

``GET /review/<rs id>/presenter?token=`` answers ``{"presenter": <state>, "now": <server
time>, "received": <server time the request came in>, "you": {"key", "name", "may_present",
"manager", "candidates"}}`` (a page estimates the server's clock from ``received`` and ``now``
as NTP does, leaving the server's own time out); ``POST`` the same
route with JSON
``{"op": ...}``:

- ``take`` (``page``, ``secret``): this page leads from now on (it takes the lead from whoever
  had it). ``claim``: the same, only while the lead was handed to the caller and no page holds it;
- ``state`` (``page``, ``secret``, ``state``): the leading page's player state (below);
- ``hand`` (``page``, ``secret``, ``to``): give the lead to a candidate (a person's ``key``);
  their page claims it;
- ``stop``: nobody leads; every page plays on its own;
- ``beat`` (``page``, ``secret``): the leading page is still open (no change: nobody is told).
  A lead whose page has not been heard (a beat or any change) for the grace period ends
  (:mod:`ft_dcc.server.review.presenter.lead_guard`); a lapsed page's beat is refused (409).

**Who may present**: a personal link (``ft-dcc review open``) of a user who may manage the
session (its creator, a Supervisor or Project Manager of its project, or an administrator:
:func:`ft_dcc.server.rules.review.manages`), and
whoever the lead was handed to (an invitee included) while it is theirs. Everybody else follows:
an invitee, another user, and whoever holds the session's shared room link (the one a publish
report prints, whoever made it: it acts as no one, is never a candidate and sees none). Their
``take``, ``state``, ``hand`` and ``stop`` are refused (403) and change nothing. Only the page
that took the lead (its ``secret``, kept by that page and never sent to others) sends
``state``. A closed session cannot be presented (409).

The **state** of the leading page is frame numbers, not times (``STATE_FIELDS``): the shown
version (``object_id``), the version compared with it (``compare``, ``mode``, ``wipe``),
``playing``, ``frame``, ``speed``, ``loop``, ``mark_in`` / ``mark_out``, ``cut`` (presenting
the session's cut, "Play cut": the record frame under the playhead; only a studio member's
page may send it, and while it is set the room's pages may read the cut), a still's ``view``
(``{"zoom", "cx", "cy"}``: picture pixels per device pixel, null when fitted, and the picture
point in the middle of the view; followers show the same), and ``clock``: the
server's time (seconds since the epoch, as the presenter page estimates it from the ``now`` of
every answer) at which its playing picture was in the middle of ``frame``. A following page
that plays moves that frame on by the time since ``clock`` (its own estimate of the server's
time) and holds itself to it (presenter.js: a little faster or slower, or a seek when far off):
a state that arrives late names an old frame, and the clock says how old. It is kept per session
in the table ``ft_dcc_review_presenter`` with a sequence number (``seq``) that grows with every
change, and published as the server's own event :data:`PRESENTER_TOPIC`, which the event broker
hands to the live streams of every server process (over PostgreSQL between workers); the
stream sends it as ``event: presenter`` and sends the current state first when a page connects
(a late joiner lands where the presenter is). The session page itself comes with the state
and the server's clock (``data-presenter-first`` on its ``main``: ``presenter``, ``received``,
``now``), so a page far away follows before its own requests are answered. The public state::

    {"seq": int, "lead": {"key": str, "name": str, "page": str | null} | null,
     "state": {...} | null}
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.identity.audience import Inside
from ft_dcc.server.review.access.audit_acts import record_act, source_of
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.access.person_keys import ROOM_KEY
from ft_dcc.server.review.access.viewer import sight_of
from ft_dcc.server.review.page.page import ReviewRoutes, json_post, no_store_json
from ft_dcc.server.review.presenter.presenter_people import (
    asker_of,
    candidates_of,
    person_key,
    view_of,
)
from ft_dcc.server.review.presenter.presenter_state import (
    FOLLOW_ONLY,
    PRESENTER_TOPIC,
    PageId,
    Person,
    PresenterRow,
    PublicState,
    Rules,
    page_of,
    public_state,
)
from ft_dcc.server.review.presenter.presenter_table import table_for
from ft_dcc.server.review.reads.data import ReviewData, SessionView

log = logging.getLogger(__name__)

#: The largest presenter request (a state is a few hundred bytes).
MAX_BODY = 4096
OPS = ("take", "claim", "state", "hand", "stop", "beat")
ROOM_FOLLOWS = (
    "This is the session's shared room link: it follows and never presents. Whoever runs the "
    "session presents from the dailies desk (/desk/: Present; or ft-dcc review open SESSION); "
    "others ask the presenter "
    "to hand them the lead through their own invitation link."
)
CUT_IS_THE_STUDIOS = (
    "Only the studio presents the session's cut (Play cut); present the shots themselves."
)
LAPSED = (
    "This page no longer leads (it was not heard for a while, or the lead moved on); press "
    "Present to take it again."
)


def _presents_cut(fields: JsonObject) -> bool:
    state = fields.get("state")
    return isinstance(state, dict) and state.get("cut") is not None


class PresenterRoutes:
    """``GET`` / ``POST /review/<rs id>/presenter`` for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.server = base.server
        self.table = table_for(base.server.store)
        #: the session's row, its lead re-checked on this use (``routes`` sets the lead guard's
        #: ``check``, :mod:`ft_dcc.server.review.presenter.lead_guard`)
        self.current: Callable[[str], Optional[PresenterRow]] = self.table.read
        base.presenter_of = self.public_of  # the session page comes with the state

    def public_of(self, review_session_id: str, link: Link) -> Mapping[str, object]:
        """The session's public state as ``link``'s page sees it, its lead re-checked (as
        ``GET`` answers it)."""
        sight = sight_of(self.server.store, self.server.ctx.execute, link)
        view = view_of(person_key(link), sight)
        return view.presenter(review_session_id, public_state(self.current(review_session_id)))

    def _context(
        self, review_session_id: str, data: ReviewData, link: Link
    ) -> Tuple[SessionView, Person]:
        return asker_of(self.server.store, self.server.ctx.execute, data, review_session_id, link)

    def _you(self, review_session_id: str, data: ReviewData, link: Link) -> Dict[str, object]:
        facts, who = self._context(review_session_id, data, link)
        row = self.current(review_session_id)
        may = facts.is_open and (who.manager or bool(row and row.get("lead_key") == who.key))
        candidates = candidates_of(self.server.ctx.execute, facts) if may else []
        view = view_of(who.key, data.sight)
        return {
            "presenter": view.presenter(review_session_id, public_state(row)),
            "now": time.time(),
            "you": {
                "key": who.key,
                "name": who.name,
                "may_present": may,
                "manager": who.manager,
                "candidates": view.people(candidates),
            },
        }

    def _post(
        self, review_session_id: str, data: ReviewData, link: Link, fields: JsonObject,
        source: str = "unknown",
    ) -> Dict[str, object]:  # fmt: skip
        op = fields.get("op")
        if op not in OPS:
            raise BadInput(f"op must be one of {list(OPS)}.")
        unknown = sorted(str(k)[:40] for k in fields if k not in ("op", "page", "secret",
                                                                    "state", "to"))  # fmt: skip
        if unknown:
            raise BadInput(f"Unknown fields {unknown}; send op, page, secret, state, to.")
        facts, who = self._context(review_session_id, data, link)
        if who.key == ROOM_KEY:
            raise BadInput(ROOM_FOLLOWS, 403)
        self.current(review_session_id)  # a lead whose grant is gone ends before any change
        if not facts.is_open:
            raise BadInput("This review session is closed; it cannot be presented.", 409)
        if op == "beat":
            return self._beat(review_session_id, who, page_of(fields))
        candidates = candidates_of(self.server.ctx.execute, facts) if op == "hand" else []
        if op == "state" and _presents_cut(fields) and not data.sight.sees(Inside.EDITORIAL):
            raise BadInput(CUT_IS_THE_STUDIOS, 403)
        object_ids = data.object_ids(review_session_id) if op == "state" else []
        rules = Rules(who, fields, candidates, object_ids)
        row = self.table.change(review_session_id, rules.for_op(str(op)))
        state = public_state(row)
        self.publish(review_session_id, state)
        log.info("review session %s: %s by %s (seq %s)", review_session_id, op, who.key,
                 state["seq"])  # fmt: skip
        if op in ("take", "claim"):
            record_act(self.server.store, "presenter.taken", link, source, review_session_id,
                       {"op": op, "seq": state["seq"]})  # fmt: skip
        view = view_of(who.key, data.sight)
        return {"presenter": view.presenter(review_session_id, state), "now": time.time()}

    def _beat(self, review_session_id: str, who: Person, page: PageId) -> Dict[str, object]:
        if not self.table.beat(review_session_id, who.key, page):
            if who.manager or self._holds_lead(review_session_id, who):
                raise BadInput(LAPSED, 409)
            raise BadInput("Only the presenter's page beats. " + FOLLOW_ONLY, 403)
        return {"presenter": public_state(self.table.read(review_session_id)), "now": time.time()}

    def _holds_lead(self, review_session_id: str, who: Person) -> bool:
        row = self.table.read(review_session_id)
        return bool(row and row.get("lead_key") == who.key)

    def publish(self, review_session_id: str, state: PublicState) -> None:
        """Tell every page of the session (every server process) the presenter's state."""
        broker = self.server.events
        if broker is not None:
            data = {"review_session_id": review_session_id, "presenter": state}
            broker.emit({"topic": PRESENTER_TOPIC, "data": data})

    async def get(self, request: Request) -> Response:
        received = time.time()  # with "now": the server's own time on it (a page's clock, NTP's)
        review_session_id, data, link = await self.base.access(request)
        answer = await run_in_threadpool(self._you, review_session_id, data, link)
        return no_store_json({**answer, "received": received})

    async def post(self, request: Request) -> Response:
        received = time.time()
        source = source_of(request)

        def work(rs_id: str, data: ReviewData, link: Link, fields: JsonObject) -> Dict[str, object]:
            return {**self._post(rs_id, data, link, fields, source), "received": received}

        return await json_post(self.base, request, MAX_BODY, work)

    def routes(self) -> List[BaseRoute]:
        path = "/review/{review_session_id}/presenter"
        return [Route(path, self.get, methods=["GET"]), Route(path, self.post, methods=["POST"])]
