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
  (:mod:`ft_dcc.server.review.lead_guard`); a lapsed page's beat is refused (409).

**Who may present**: a personal link (``ft-dcc review open``) of a user who may manage the
session (its creator or an administrator, :func:`ft_dcc.server.rules.review.may_manage`), and
whoever the lead was handed to (an invitee included) while it is theirs. Everybody else follows:
an invitee, another user, and whoever holds the session's shared room link (the one a publish
report prints, whoever made it: it acts as no one, is never a candidate and sees none). Their
``take``, ``state``, ``hand`` and ``stop`` are refused (403) and change nothing. Only the page
that took the lead (its ``secret``, kept by that page and never sent to others) sends
``state``. A closed session cannot be presented (409).

The **state** of the leading page is frame numbers, not times (``STATE_FIELDS``): the shown
version (``object_id``), the version compared with it (``compare``, ``mode``, ``wipe``),
``playing``, ``frame``, ``speed``, ``loop``, ``mark_in`` / ``mark_out``, and ``clock``: the
server's time (seconds since the epoch, as the presenter page estimates it from the ``now`` of
every answer) at which its playing picture was in the middle of ``frame``. A following page
that plays moves that frame on by the time since ``clock`` (its own estimate of the server's
time) and holds itself to it (presenter.js: a little faster or slower, or a seek when far off):
a state that arrives late names an old frame, and the clock says how old. It is kept per session
in the table ``ft_dcc_review_presenter`` with a sequence number (``seq``) that grows with every
change, and published as the server's own event :data:`PRESENTER_TOPIC`, which the event broker
hands to the live streams of every server process (over PostgreSQL between workers); the
stream sends it as ``event: presenter`` and sends the current state first when a page connects
(a late joiner lands where the presenter is). The public state::

    {"seq": int, "lead": {"key": str, "name": str, "page": str | null} | null,
     "state": {...} | null}
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple, Type, TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Engine, RowMapping
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.errors import BadInput, NotFound, ServerError
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.bodies import read_limited_body
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.side_tables import side_table
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.review.audit_acts import record_act, source_of
from ft_dcc.server.review.data import ReviewData, SessionView
from ft_dcc.server.review.feedback import _fields
from ft_dcc.server.review.identity import Execute, invitee_of, owner_invitee_id, query
from ft_dcc.server.review.links import Link
from ft_dcc.server.review.page import ReviewRoutes
from ft_dcc.server.rules.review import may_manage

log = logging.getLogger(__name__)

PRESENTER_TOPIC = "ft_dcc.meta.review-presenter"
TABLE = "ft_dcc_review_presenter"
#: The largest presenter request (a state is a few hundred bytes).
MAX_BODY = 4096
MAX_FRAME = 10**7
SPEEDS = (0.0625, 16.0)
MODES = ("side", "wipe")
OPS = ("take", "claim", "state", "hand", "stop", "beat")
STATE_FIELDS = (
    "object_id", "compare", "mode", "wipe", "playing", "frame", "speed", "loop", "mark_in",
    "mark_out", "clock",
)  # fmt: skip
#: How far the presenter page's ``clock`` may be from the server's own time (seconds).
MAX_CLOCK_SKEW = 600.0
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
FOLLOW_ONLY = (
    "Only the session's owner or an administrator presents, or whoever they hand the lead "
    "to; ask the presenter to hand it to you."
)
ROOM_FOLLOWS = (
    "This is the session's shared room link: it follows and never presents. The owner "
    "presents through their own link (ft-dcc review open SESSION); others ask the presenter "
    "to hand them the lead through their own invitation link."
)
LAPSED = (
    "This page no longer leads (it was not heard for a while, or the lead moved on); press "
    "Present to take it again."
)
#: the one person every holder of a session's room link is (it acts as no one)
ROOM_KEY = "r:room"


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
def _page(fields: JsonObject) -> PageId:
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
    }


# -- the stored state -----------------------------------------------------------------------------
Change = Callable[[Optional[PresenterRow]], PresenterRow]


def _stored(row: RowMapping) -> PresenterRow:
    """A :class:`PresenterRow` from the database's row."""
    return PresenterRow(
        review_session_id=row["review_session_id"],
        seq=row["seq"],
        lead_key=row["lead_key"],
        lead_name=row["lead_name"],
        page=row["page"],
        secret_hash=row["secret_hash"],
        state=row["state"],
        updated=row["updated"],
    )


class PresenterTable:
    """The presenter state of every session, one row each, changed one at a time."""

    def __init__(self, engine: Engine, metadata: sa.MetaData) -> None:
        self.engine = engine
        self.table = side_table(
            engine,
            metadata,
            TABLE,
            sa.Column("review_session_id", sa.String(64), primary_key=True),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("lead_key", sa.String(80), nullable=True),
            sa.Column("lead_name", sa.Text, nullable=True),
            sa.Column("page", sa.String(32), nullable=True),
            sa.Column("secret_hash", sa.String(64), nullable=True),
            sa.Column("state", sa.Text, nullable=True),
            sa.Column("updated", sa.Float, nullable=False),
        )

    def read(self, review_session_id: str) -> Optional[PresenterRow]:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(self.table).where(self.table.c.review_session_id == review_session_id)
            ).mappings().first()  # fmt: skip
        return _stored(row) if row is not None else None

    def change(self, review_session_id: str, change: Change) -> PresenterRow:
        """Apply ``change(row or None) -> new values`` under the database's writer lock (one
        change at a time in every server process), with the next ``seq``; the row after it
        (``change`` raises to refuse: nothing is written)."""
        table = self.table
        where = table.c.review_session_id == review_session_id
        with write_transaction(self.engine) as connection:
            found = connection.execute(sa.select(table).where(where))
            row = found.mappings().first()
            old = _stored(row) if row is not None else None
            values = change(old).copy()
            values["seq"] = (old["seq"] if old else 0) + 1
            values["updated"] = time.time()
            if old is None:
                values["review_session_id"] = review_session_id
                connection.execute(sa.insert(table).values(**values))
            else:
                connection.execute(sa.update(table).where(where).values(**values))
            merged = old.copy() if old else PresenterRow()
            merged.update(values)
            return merged

    def beat(self, review_session_id: str, key: str, page: PageId) -> bool:
        """The leading ``page`` of ``key`` is still open: its row's ``updated`` is now (no new
        ``seq``); whether it leads."""
        table = self.table
        where = sa.and_(
            table.c.review_session_id == review_session_id,
            table.c.lead_key == key,
            table.c.page == page.page,
            table.c.secret_hash == page.secret_hash,
        )
        with write_transaction(self.engine) as connection:
            done = connection.execute(sa.update(table).where(where).values(updated=time.time()))
            return bool(done.rowcount)


def table_for(store: StoreParts) -> PresenterTable:
    """The presenter table of ``store``'s database (defined once in the store's metadata,
    created in the database when missing; the live stream and the routes each ask once, at
    start-up)."""
    return PresenterTable(store.engine, store.metadata)


# -- the rules ------------------------------------------------------------------------------------
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
        page = _page(self.fields)
        if not (self.who.manager or (row and row.get("lead_key") == self.who.key)):
            raise BadInput(FOLLOW_ONLY, 403)
        return _lead(self.who, page)

    def claim(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = _page(self.fields)
        if not row or row.get("lead_key") != self.who.key:
            raise BadInput("The lead was not handed to you. " + FOLLOW_ONLY, 403)
        if row.get("page"):
            raise BadInput("Another of your pages has the lead already; press Present here "
                           "to take it.", 409)  # fmt: skip
        return _lead(self.who, page)

    def state(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = _page(self.fields)
        state = check_state(self.fields.get("state"), self.object_ids)
        if not _leads(row, self.who, page):
            raise BadInput("Only the presenter's page sends the state; this page follows. "
                           + FOLLOW_ONLY, 403)  # fmt: skip
        return {"state": json.dumps(state, separators=(",", ":"))}

    def hand(self, row: Optional[PresenterRow]) -> PresenterRow:
        page = _page(self.fields)
        target = next((c for c in self.candidates if c.key == self.fields.get("to")), None)
        if target is None:
            raise BadInput("to must be the key of one of the candidates (GET /presenter).")
        if not (self.who.manager or _leads(row, self.who, page)):
            raise BadInput("Only the presenter's page hands the lead over. " + FOLLOW_ONLY, 403)
        return _lead(target, None)

    def stop(self, row: Optional[PresenterRow]) -> PresenterRow:
        if not self.who.manager and not _leads(row, self.who, _page(self.fields)):
            raise BadInput("Only the presenter's page ends the presentation. " + FOLLOW_ONLY, 403)
        return {"lead_key": None, "lead_name": None, "page": None, "secret_hash": None}


# -- who is asking --------------------------------------------------------------------------------
def person_of(store: StoreParts, execute: Execute, link: Link, facts: SessionView) -> Person:
    """Who ``link`` acts as, and whether they may manage the session."""
    if link.invitee is not None:
        invitee = link.invitee
        return Person("i:" + invitee.id, invitee.name or invitee.email, False)
    if not link.personal:
        return Person(ROOM_KEY, "Room link", False)
    manager = may_manage(store, link.maker_id, facts.created_by_id)
    return Person("u:" + link.maker_id, _user_name(execute, link.maker_id), manager)


def asker_of(
    store: StoreParts, execute: Execute, data: ReviewData, review_session_id: str, link: Link,
    missing: Type[ServerError] = NotFound,
) -> Tuple[SessionView, Person]:  # fmt: skip
    """The session ``link`` opens and who it acts as there; ``missing`` when the session is gone."""
    facts = data.session_facts(review_session_id)
    if facts is None:
        raise missing("No such review session; it may have been deleted.")
    return facts, person_of(store, execute, link, facts)


def _user_name(execute: Execute, user_id: str) -> str:
    rows = query(execute, "select first_name, last_name, username from User where id is "
                 + quote(check_component_id(user_id)))  # fmt: skip
    row = rows[0] if rows else {}
    full = " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p)
    return full or str(row.get("username") or "") or "Presenter"


def candidates_of(execute: Execute, facts: SessionView) -> List[Person]:
    """Whom the lead may be handed to: the session's owner and its invitees."""
    people = []
    if facts.created_by_id:
        owner = Person("u:" + facts.created_by_id, _user_name(execute, facts.created_by_id), True)
        people.append(owner)
    rows = query(
        execute,
        "select id, name, email from ReviewSessionInvitee where review_session_id is "
        + quote(check_component_id(facts.id)),
    )
    own = owner_invitee_id(facts.id, facts.created_by_id) if facts.created_by_id else ""
    invitees = [invitee_of(row) for row in rows if row.get("id") != own]
    for invitee in sorted(invitees, key=lambda i: (i.name or i.email, i.id)):
        people.append(Person("i:" + invitee.id, invitee.name or invitee.email, False))
    return people


# -- routes ---------------------------------------------------------------------------------------
def _answer(body: Mapping[str, object], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


Work = Callable[[str, ReviewData, Link, JsonObject], Mapping[str, object]]


async def json_post(base: ReviewRoutes, request: Request, limit: int, work: Work) -> Response:
    """Open the request's link, read its JSON body (at most ``limit`` bytes) and answer
    ``work(review session id, data, link, fields)`` (run in a thread). Refusals are raised as
    the server's errors and answered by the app (``ft_dcc.server.review.routes.error_reply``):
    a bad link 403, :class:`BadInput` with its status."""
    review_session_id, data, link = await base.access(request)
    fields = _fields(await read_limited_body(request, limit), limit)
    return _answer(await run_in_threadpool(work, review_session_id, data, link, fields))


class PresenterRoutes:
    """``GET`` / ``POST /review/<rs id>/presenter`` for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.server = base.server
        self.table = table_for(base.server.store)
        #: the session's row, its lead re-checked on this use (``routes`` sets the lead guard's
        #: ``check``, :mod:`ft_dcc.server.review.lead_guard`)
        self.current: Callable[[str], Optional[PresenterRow]] = self.table.read

    def _context(
        self, review_session_id: str, data: ReviewData, link: Link
    ) -> Tuple[SessionView, Person]:
        return asker_of(self.server.store, self.server.ctx.execute, data, review_session_id, link)

    def _you(self, review_session_id: str, data: ReviewData, link: Link) -> Dict[str, object]:
        facts, who = self._context(review_session_id, data, link)
        row = self.current(review_session_id)
        may = facts.is_open and (who.manager or bool(row and row.get("lead_key") == who.key))
        candidates = candidates_of(self.server.ctx.execute, facts) if may else []
        return {
            "presenter": public_state(row),
            "now": time.time(),
            "you": {
                "key": who.key,
                "name": who.name,
                "may_present": may,
                "manager": who.manager,
                "candidates": [{"key": c.key, "name": c.name} for c in candidates],
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
            return self._beat(review_session_id, who, _page(fields))
        candidates = candidates_of(self.server.ctx.execute, facts) if op == "hand" else []
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
        return {"presenter": state, "now": time.time()}

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
        return _answer({**answer, "received": received})

    async def post(self, request: Request) -> Response:
        received = time.time()
        source = source_of(request)

        def work(rs_id: str, data: ReviewData, link: Link, fields: JsonObject) -> Dict[str, object]:
            return {**self._post(rs_id, data, link, fields, source), "received": received}

        return await json_post(self.base, request, MAX_BODY, work)

    def routes(self) -> List[BaseRoute]:
        path = "/review/{review_session_id}/presenter"
        return [Route(path, self.get, methods=["GET"]), Route(path, self.post, methods=["POST"])]
