"""The one policy: which parts of the server an identity may enter, and what it sees there.

Every route asks :func:`admits` (or :func:`require`) with the request's identity
(:func:`~.layer.identity_of`) before it does anything; what it may then do on the entities is
the store's rules' (``rules.permissions``, ``rules.review``: roles, projects, ownership), and
what it may see of the studio's inside is its audience's (:mod:`.audience`). SECURITY.md states
the table :data:`ENTERS`, and a test holds that table to this one.
"""

from __future__ import annotations

import enum
from typing import Dict, FrozenSet, Optional, Tuple

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.identity.model import (
    DOWNLOAD,
    SIGNIN_LINK,
    UPLOAD,
    WIDGET,
    Door,
    Identity,
    Kind,
)


class Area(enum.Enum):
    """A part of the server with its own door."""

    API = "`/api` (the JSON API)"
    FILES = "`/component/get`, `thumbnail`, `remove` (a component's file)"
    UPLOAD = "`/file-upload/<id>` (an upload)"
    WIDGET = "`/widget` (the widget page)"
    HUB = "`/socket.io` (the event hub)"
    DESK = "`/desk` (the dailies desk)"
    REVIEW = "`/review/<id>` (the review page, its data, media and live stream)"
    OPEN_REVIEW = "`/signin/review/<id>` (a review page opened from the desk)"
    SIGNIN_LINK = "`/signin/link/<token>` (a one-time sign-in link)"


#: who may enter an area: (kind, door, signed URL purpose or None for any)
Entry = Tuple[Kind, Door, Optional[str]]

ENTERS: Dict[Area, FrozenSet[Entry]] = {
    Area.API: frozenset({(Kind.USER, Door.API_KEY, None)}),
    Area.FILES: frozenset(
        {(Kind.USER, Door.API_KEY, None), (Kind.SIGNED_URL, Door.SIGNED_URL, DOWNLOAD)}
    ),
    Area.UPLOAD: frozenset({(Kind.SIGNED_URL, Door.SIGNED_URL, UPLOAD)}),
    Area.WIDGET: frozenset({(Kind.SIGNED_URL, Door.SIGNED_URL, WIDGET)}),
    Area.HUB: frozenset({(Kind.USER, Door.API_KEY, None)}),
    Area.DESK: frozenset({(Kind.USER, Door.SIGNIN, None)}),
    Area.REVIEW: frozenset(
        {
            (Kind.USER, Door.REVIEW_LINK, None),
            (Kind.INVITEE, Door.REVIEW_LINK, None),
            (Kind.ROOM_GUEST, Door.REVIEW_LINK, None),
        }
    ),
    Area.OPEN_REVIEW: frozenset({(Kind.USER, Door.SIGNIN, None)}),
    Area.SIGNIN_LINK: frozenset({(Kind.SIGNED_URL, Door.SIGNED_URL, SIGNIN_LINK)}),
}


def admits(identity: Identity, area: Area) -> bool:
    """Whether ``identity`` may enter ``area`` (what it may do there is the area's rules')."""
    return any(
        identity.kind is kind and identity.door is door and purpose in (None, identity.purpose)
        for kind, door, purpose in ENTERS[area]
    )


def require(identity: Identity, area: Area, refusal: ServerError) -> Identity:
    """``identity`` when it may enter ``area``; else raise ``refusal`` (the area's own answer)."""
    if not admits(identity, area):
        raise refusal
    return identity
