"""The presenter's state and its rules: who leads a review session's page, what the leading
page's player state is (checked, :func:`check_state`), what each person's request does to a
session's row (:class:`Rules`) and what every page sees of it (:func:`public_state`). No
database and no HTTP: the table is :mod:`ft_dcc.server.review.presenter.presenter_table`, the routes
:mod:`ft_dcc.server.review.presenter.presenter`."""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, TypedDict

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.files.filestore import FileStoreError, check_component_id

#: the server's own event that carries a session's :class:`PublicState` to its live streams
PRESENTER_TOPIC = "ft_dcc.meta.review-presenter"
MAX_FRAME = 10**7
SPEEDS = (0.0625, 16.0)
MODES = ("side", "wipe")
STATE_FIELDS = (
    "object_id", "compare", "mode", "wipe", "playing", "frame", "speed", "loop", "mark_in",
    "mark_out", "clock", "view", "cut",
)  # fmt: skip
#: a still's view: its zoom (picture pixels per device pixel; null: fitted) and the picture
#: point in the view's middle
VIEW_FIELDS = ("zoom", "cx", "cy")
ZOOMS = (0.001, 64.0)
MAX_POINT = 10.0**6
#: How far the presenter page's ``clock`` may be from the server's own time (seconds).
MAX_CLOCK_SKEW = 600.0
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
FOLLOW_ONLY = (
    "Only those who manage the session (its creator, a Supervisor or Project Manager of its "
    "project, an administrator) present, or whoever they hand the lead to; ask the presenter "
    "to hand it to you."
)


@dataclass(frozen=True)
class Person:
    """Who a link acts as: ``key`` ``u:<user id>`` or ``i:<invitee id>``."""

    key: str
    name: str
    manager: bool


@dataclass(frozen=True)
class PageId:
    page: str
    secret_hash: str


class StillView(TypedDict):
    """What the room sees of a still: :data:`VIEW_FIELDS`."""

    zoom: Optional[float]
    cx: float
    cy: float


class PlayerState(TypedDict):
    """The leading page's player state, checked (:func:`check_state`)."""

    object_id: Optional[str]
    compare: Optional[str]
    mode: str
    wipe: float
    playing: bool
    frame: Optional[int]
    speed: float
    loop: bool
    mark_in: Optional[int]
    mark_out: Optional[int]
    clock: Optional[float]
    view: Optional[StillView]
    #: presenting the session's cut ("Play cut"): the record frame under the playhead (then
    #: ``object_id`` and ``frame`` are the item and its version frame there); None: not
    cut: Optional[int]


class PresenterRow(TypedDict, total=False):
    """A row of :data:`TABLE` (or the columns a change sets)."""

    review_session_id: str
    seq: int
    lead_key: Optional[str]
    lead_name: Optional[str]
    page: Optional[str]
    secret_hash: Optional[str]
    #: the :class:`PlayerState` as JSON text
    state: Optional[str]
    updated: float


class Lead(TypedDict):
    key: str
    name: str
    page: Optional[str]


class PublicState(TypedDict):
    """What every page of a session sees of its presenter (no page secret)."""

    seq: int
    lead: Optional[Lead]
    state: Optional[PlayerState]


def public_state(row: Optional[PresenterRow]) -> PublicState:
    """The state every page of the session may see (no page secret)."""
    if row is None:
        return {"seq": 0, "lead": None, "state": None}
    lead: Optional[Lead] = None
    key = row.get("lead_key")
    if key:
        lead = {"key": key, "name": row.get("lead_name") or "", "page": row.get("page")}
    text = row.get("state")
    state: Optional[PlayerState] = json.loads(text) if text else None  # written by check_state
    return {"seq": int(row.get("seq") or 0), "lead": lead, "state": state}


# -- input checks ---------------------------------------------------------------------------------
def page_of(fields: JsonObject) -> PageId:
    page, secret = fields.get("page"), fields.get("secret")
    if not isinstance(page, str) or not isinstance(secret, str):
        raise BadInput("page and secret must be the page's own 32 hex digit ids.")
    if not _TOKEN.match(page) or not _TOKEN.match(secret):
        raise BadInput("page and secret must be the page's own 32 hex digit ids.")
    return PageId(page, hashlib.sha256(secret.encode("ascii")).hexdigest())


def _whole(value: object, name: str, optional: bool = False) -> Optional[int]:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_FRAME:
        raise BadInput(f"state.{name} must be a whole frame number (at most {MAX_FRAME}).")
    return value


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise BadInput(f"state.{name} must be a number from {low} to {high}.")
    return float(value)


def _item(value: object, name: str, object_ids: List[str], optional: bool = False) -> Optional[str]:
    if value is None and optional:
        return None
    try:
        ident = check_component_id(value)
    except FileStoreError:
        ident = ""
    if ident not in object_ids:
        raise BadInput(f"state.{name} must be the id of an item of this review session.")
    return ident


def _clock(value: object, now: float) -> Optional[float]:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (abs(value - now) <= MAX_CLOCK_SKEW)
    ):
        raise BadInput(
            'state.clock must be the server\'s time in seconds (from the "now" of its '
            f"answers), within {MAX_CLOCK_SKEW:.0f} s of it; leave it out when unknown."
        )
    return float(value)


def _view(value: object) -> Optional[StillView]:
    if value is None:
        return None
    if not isinstance(value, dict) or sorted(value) != sorted(VIEW_FIELDS):
        raise BadInput(f"state.view must be an object of {list(VIEW_FIELDS)} (a still's view).")
    zoom = value.get("zoom")
    return {
        "zoom": None if zoom is None else _number(zoom, "view.zoom", *ZOOMS),
        "cx": _number(value.get("cx"), "view.cx", -MAX_POINT, MAX_POINT),
        "cy": _number(value.get("cy"), "view.cy", -MAX_POINT, MAX_POINT),
    }


def check_state(value: object, object_ids: List[str], now: Optional[float] = None) -> PlayerState:
    """The player state ``value`` checked and complete, or :class:`BadInput` saying why not
    (``now``: the server's time, default the current one, that ``clock`` must be near)."""
    if not isinstance(value, dict):
        raise BadInput("state must be a JSON object.")
    unknown = sorted(str(k)[:40] for k in value if k not in STATE_FIELDS)
    if unknown:
        raise BadInput(f"state has unknown fields {unknown}; send only {list(STATE_FIELDS)}.")
    playing = value.get("playing", False)
    loop = value.get("loop", False)
    if not isinstance(playing, bool) or not isinstance(loop, bool):
        raise BadInput("state.playing and state.loop must be true or false.")
    mode = value.get("mode", "side")
    if mode not in MODES:
        raise BadInput(f"state.mode must be one of {list(MODES)}.")
    return {
        "object_id": _item(value.get("object_id"), "object_id", object_ids),
        "compare": _item(value.get("compare"), "compare", object_ids, optional=True),
        "mode": mode,
        "wipe": _number(value.get("wipe", 50), "wipe", 0, 100),
        "playing": playing,
        "frame": _whole(value.get("frame"), "frame"),
        "speed": _number(value.get("speed", 1), "speed", *SPEEDS),
        "loop": loop,
        "mark_in": _whole(value.get("mark_in"), "mark_in", optional=True),
        "mark_out": _whole(value.get("mark_out"), "mark_out", optional=True),
        "clock": _clock(value.get("clock"), time.time() if now is None else now),
        "view": _view(value.get("view")),
        "cut": _whole(value.get("cut"), "cut", optional=True),
    }


# -- the rules ------------------------------------------------------------------------------------
Change = Callable[[Optional[PresenterRow]], PresenterRow]


def _leads(row: Optional[PresenterRow], who: Person, page: PageId) -> bool:
    """Whether ``page`` of ``who`` is the leading page."""
    return bool(
        row
        and row.get("lead_key") == who.key
        and row.get("page") == page.page
        and row.get("secret_hash") == page.secret_hash
    )


def _lead(who: Person, page: Optional[PageId]) -> PresenterRow:
    return {
        "lead_key": who.key,
        "lead_name": who.name[:200],
        "page": page.page if page else None,
        "secret_hash": page.secret_hash if page else None,
    }


class Rules:
    """What one person's request does to a session's presenter row (raise: refused)."""

    def __init__(self, who: Person, fields: JsonObject, candidates: List[Person],
                 object_ids: List[str]) -> None:  # fmt: skip
        self.who = who
        self.fields = fields
        self.candidates = candidates
        self.object_ids = object_ids

    def for_op(self, op: str) -> Change:
        return {"take": self.take, "claim": self.claim, "state": self.state,
                "hand": self.hand, "stop": self.stop}[op]  # fmt: skip

    def take(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = page_of(self.fields)
        if not (self.who.manager or (row and row.get("lead_key") == self.who.key)):
            raise BadInput(FOLLOW_ONLY, 403)
        return _lead(self.who, page)

    def claim(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = page_of(self.fields)
        if not row or row.get("lead_key") != self.who.key:
            raise BadInput("The lead was not handed to you. " + FOLLOW_ONLY, 403)
        if row.get("page"):
            raise BadInput("Another of your pages has the lead already; press Present here "
                           "to take it.", 409)  # fmt: skip
        return _lead(self.who, page)

    def state(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = page_of(self.fields)
        state = check_state(self.fields.get("state"), self.object_ids)
        if not _leads(row, self.who, page):
            raise BadInput("Only the presenter's page sends the state; this page follows. "
                           + FOLLOW_ONLY, 403)  # fmt: skip
        return {"state": json.dumps(state, separators=(",", ":"))}

    def hand(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = page_of(self.fields)
        target = next((c for c in self.candidates if c.key == self.fields.get("to")), None)
        if target is None:
            raise BadInput("to must be the key of one of the candidates (GET /presenter).")
        if not (self.who.manager or _leads(row, self.who, page)):
            raise BadInput("Only the presenter's page hands the lead over. " + FOLLOW_ONLY, 403)
        return _lead(target, None)

    def stop(self, row: Optional[PresenterRow]) -> PresenterRow:
        if not self.who.manager and not _leads(row, self.who, page_of(self.fields)):
            raise BadInput("Only the presenter's page ends the presentation. " + FOLLOW_ONLY, 403)
        return {"lead_key": None, "lead_name": None, "page": None, "secret_hash": None}
