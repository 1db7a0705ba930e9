"""The room link: one shared session link, and each person in the room says who they are.

A session link (``ft-dcc review link``, a publish report's ``review_url``) is often the one link
of a dailies room. It never acts as the user who made it (:mod:`ft_dcc.server.review.access.links`):
it does not present, list the invitees or manage, and writes nothing until its holder says who
they are. The owner reaches their own page through a personal link (``ft-dcc review open``).
Instead the person picks themselves from the invitees who were added in the room, or adds
themselves (name + e-mail); the answer is a link of their own: an invitee link (``i``, marked
``r``) for this session only, expiring with the room link. The page keeps it in the browser.

Who may: anyone holding a session link of a session its owner opened to links (not private,
``shareable_url_enabled`` not false) -- that is what a leaked link gives, and no more:

* only invitees added in the room (ftrack's ``created_from_shared_url``) can be picked; people
  invited with a link of their own (the client) cannot be picked, nor Users, nor another
  session's invitees;
* what they write is credited to the room invitee's own collaborator record
  (:mod:`ft_dcc.server.review.access.identity`), never to a User, whatever e-mail was typed; a room
  invitee can never be claimed by a User (:mod:`ft_dcc.server.review.access.claims`);
* a closed session takes no new people; at most :data:`MAX_ROOM_INVITEES` per session;
* making the session private ends every room identity at once.

``GET /review/<rs>/whoami?token=`` answers ``{"me": invitee | null, "room": bool, "can_add":
bool, "invitees": [{"invitee_id", "name"}], "why": str}``; ``POST`` with ``{"invitee_id": id}``
(200) or ``{"name": str, "email": str}`` (201) answers ``{"me": invitee, "token": str}``.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Dict, List, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.http.bodies import JsonBodyError, parse_json_body, read_limited_body
from ft_dcc.server.review.access.identity import SYSTEM, Invitee, invitee_of, load_invitee, query
from ft_dcc.server.review.access.links import Link, speaks_as
from ft_dcc.server.review.page.page import ReviewRoutes, no_store_json
from ft_dcc.server.review.page.passphrase_page import room_grant, set_grant
from ft_dcc.server.review.reads.data import ReviewData, SessionView
from ft_dcc.server.store.store import Execute

MAX_BODY = 4096
MAX_NAME = 100
MAX_ROOM_INVITEES = 500
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,190}\.[^@\s<>\"',;.]{1,63}$")
NOT_OPEN = (
    "The owner has not opened this session to its room link (it is private); ask them for your "
    "own invitation link."
)


class RoomRefusal(BadInput):
    """A request the room refuses: answered with ``status`` and the message (what to do)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message, status)


def room_invitees(execute: Execute, review_session_id: str) -> List[Invitee]:
    rows = query(
        execute,
        "select id, name, email, review_session_id, created_from_shared_url "
        f"from ReviewSessionInvitee where review_session_id is {quote(review_session_id)} "
        "and created_from_shared_url is true",
    )
    return sorted((invitee_of(r) for r in rows), key=lambda i: (i.name.lower(), i.id))


def _me(invitee: Invitee) -> Dict[str, object]:
    return dict(invitee.as_json(), room=invitee.from_room)


def _why(link: Link, session: SessionView) -> str:
    if link.personal:
        return "This is your own link: you review as yourself."
    if not link.shared:
        return "This is a personal invitation link."
    if session.private:
        return NOT_OPEN
    return "" if session.is_open else "This review session is closed; it takes no one new."


def describe(execute: Execute, link: Link, session: SessionView) -> Dict[str, object]:
    """The ``GET whoami`` answer."""
    room = link.shared and not session.private
    listed = room_invitees(execute, session.id) if room else []
    me = speaks_as(link, execute)
    return {
        "me": _me(me) if me else None,
        "room": room,
        "can_add": room and session.is_open and len(listed) < MAX_ROOM_INVITEES,
        "invitees": [{"invitee_id": i.id, "name": i.name} for i in listed],
        "why": _why(link, session),
    }


def _text(fields: JsonObject, name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str):
        raise RoomRefusal(f"Send your {name} as text.", 400)
    return " ".join(value.split())


def _new_person(fields: JsonObject) -> Tuple[str, str]:
    name, email = _text(fields, "name"), _text(fields, "email")
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise RoomRefusal(f"Give your name (at most {MAX_NAME} characters).", 400)
    if len(email) > 254 or not EMAIL.match(email):
        raise RoomRefusal("Give your e-mail address as name@example.com.", 400)
    return name, email


def _fields(body: Optional[bytes]) -> JsonObject:
    """The JSON object of a ``POST whoami`` body, or :class:`RoomRefusal` saying what to send."""
    if body is None:
        raise RoomRefusal(f"Send at most {MAX_BODY} bytes.", 413)
    try:
        fields = parse_json_body(body)
    except JsonBodyError as exc:
        raise RoomRefusal(f"{exc} Send a JSON object.", 400) from None
    if not isinstance(fields, dict):
        raise RoomRefusal('Send a JSON object: {"invitee_id"} or {"name", "email"}.', 400)
    return fields


class RoomRoutes:
    """``/review/<rs>/whoami`` for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.server = base.server

    # -- the work (in a thread) ---------------------------------------------------------------
    def _session(self, data: ReviewData, review_session_id: str) -> SessionView:
        session = data.session_facts(review_session_id)
        if session is None:
            raise RoomRefusal("No such review session; it may have been deleted.", 404)
        return session

    def _choose(
        self, data: ReviewData, link: Link, fields: JsonObject
    ) -> Tuple[Dict[str, object], int]:
        if not link.shared:
            raise RoomRefusal(
                "This is a personal invitation link: it already says who you are. Use the "
                "session's shared link to choose someone else.",
                400,
            )
        session = self._session(data, str(link.review_session_id))
        if session.private:
            raise RoomRefusal(NOT_OPEN)
        execute = self.server.ctx.execute
        if "invitee_id" in fields:
            invitee, status = self._pick(execute, session, fields.get("invitee_id")), 200
        else:
            invitee, status = self._add(execute, link, session, *_new_person(fields)), 201
        ttl = max(1, int(link.expires - time.time()))
        token = self.base.signer.sign(session.id, link.maker_id, ttl, invitee.id, room=True)
        return {"me": _me(invitee), "token": token}, status

    @staticmethod
    def _pick(execute: Execute, session: SessionView, invitee_id: object) -> Invitee:
        invitee = load_invitee(execute, invitee_id)
        if invitee is None or invitee.review_session_id != session.id:
            raise RoomRefusal(
                "No such person in this session; pick one from its list, or send your name "
                "and e-mail instead.",
                404,
            )
        if not invitee.from_room:
            raise RoomRefusal(
                "This person has an invitation link of their own; only that link speaks for "
                "them. Add yourself instead.",
            )
        return invitee

    @staticmethod
    def _add(execute: Execute, link: Link, session: SessionView, name: str, email: str) -> Invitee:
        if not session.is_open:
            raise RoomRefusal("This review session is closed; it takes no one new.", 409)
        if len(room_invitees(execute, session.id)) >= MAX_ROOM_INVITEES:
            raise RoomRefusal(
                f"This room already has {MAX_ROOM_INVITEES} people; ask the session's owner "
                "to invite you.",
                409,
            )
        invitee_id = str(uuid.uuid4())
        data: JsonObject = {
            "__entity_type__": "ReviewSessionInvitee",
            "id": invitee_id,
            "name": name,
            "email": email,
            "review_session_id": session.id,
            "created_by_id": link.maker_id,
            "created_from_shared_url": True,
        }
        operation: JsonObject = {"action": "create", "entity_type": "ReviewSessionInvitee"}
        execute([dict(operation, entity_key=[invitee_id], entity_data=data)], SYSTEM)
        return Invitee(invitee_id, name, email, session.id, from_room=True)

    # -- routes -------------------------------------------------------------------------------
    async def show(self, request: Request) -> Response:
        review_session_id, data, link = await self.base.access(request)
        session = await run_in_threadpool(self._session, data, review_session_id)
        answer = await run_in_threadpool(describe, self.server.ctx.execute, link, session)
        return no_store_json(answer)

    async def choose(self, request: Request) -> Response:
        review_session_id, data, link = await self.base.access(request)
        fields = _fields(await read_limited_body(request, MAX_BODY))
        answer, status = await run_in_threadpool(self._choose, data, link, fields)
        response = no_store_json(answer, status)
        token = str(answer["token"])
        grant = await run_in_threadpool(room_grant, self.base, link, token)
        if grant:  # the room link passed the passphrase: so does the person's own link
            set_grant(response, request, review_session_id, token, grant, link.expires)
        return response

    def routes(self) -> List[BaseRoute]:
        path = "/review/{review_session_id}/whoami"
        return [
            Route(path, self.show, methods=["GET"]),
            Route(path, self.choose, methods=["POST"]),
        ]
