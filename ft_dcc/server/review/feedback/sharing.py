"""Sharing a studio note with the session's clients: ``POST /review/<rs id>/share?token=``.

JSON ``{"note_id": str, "shared": bool}``. In a session with invited clients a studio member's
note or drawing is internal until shared (:mod:`ft_dcc.server.review.reads.sight`); sharing stores
the note's :data:`~ft_dcc.server.review.reads.sight.SHARED_KEY` metadata (``"true"`` / ``"false"``),
which a real ftrack server keeps as any ``Metadata`` of a ``Note``. Only a studio member's own link
shares (a User's personal link), and only a note of this session that they wrote or a session
they manage (its creator, a Supervisor or Project Manager of its project, an administrator);
a client's or room guest's link is refused with 403 and nothing changes. Answers 200 with
``{"note_id", "shared"}``; the session's open pages re-read their feedback (``event: note``).
"""

from __future__ import annotations

from typing import Dict, List

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import BadInput, NotFound
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.bodies import read_limited_body
from ft_dcc.server.identity.model import Audience
from ft_dcc.server.review.access.audit_acts import record_act, source_of
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.access.viewer import audience_of
from ft_dcc.server.review.page.fields import json_fields
from ft_dcc.server.review.page.page import ReviewRoutes, no_store_json
from ft_dcc.server.review.reads.data import ReviewData, asker
from ft_dcc.server.review.reads.sight import SHARED_KEY
from ft_dcc.server.rules.review import manages

MAX_BODY = 4096
ONLY_STUDIO = (
    "Only a studio member's own review page (ft-dcc review open SESSION, or Open on the desk) "
    "shares a note with the client; ask the person who runs the review."
)


def _note_id(fields: JsonObject) -> str:
    try:
        return check_component_id(fields.get("note_id"))
    except FileStoreError:
        raise BadInput("note_id must be the id of a note of this review session.") from None


class ShareRoutes:
    """``POST /review/<id>/share`` for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.server = base.server

    def _share(
        self, review_session_id: str, data: ReviewData, link: Link, fields: JsonObject
    ) -> Dict[str, object]:
        if audience_of(link) is not Audience.STUDIO:
            raise BadInput(ONLY_STUDIO, 403)
        note_id = _note_id(fields)
        shared = fields.get("shared")
        if not isinstance(shared, bool):
            raise BadInput("shared is true (share the note with the client) or false.")
        [notes, objects] = data._rows([
            f"select id, parent_id, user_id from Note where id is {quote(note_id)}",
            "select id from ReviewSessionObject "
            f"where review_session_id is {quote(review_session_id)}",
        ])  # fmt: skip
        if not notes or notes[0].get("parent_id") not in {o["id"] for o in objects}:
            raise NotFound("That note is not on this review session; send one of its notes' ids.")
        if notes[0].get("user_id") != link.maker_id and not manages(
            self.server.store, link.maker_id, review_session_id
        ):
            raise BadInput(
                "Only the note's author or someone who manages the session (its creator, a "
                "Supervisor or Project Manager of its project, an administrator) shares it; ask "
                "them.",
                403,
            )
        self._store(link.maker_id, note_id, shared)
        return {"note_id": note_id, "shared": shared}

    def _store(self, user_id: str, note_id: str, shared: bool) -> None:
        """Create or change the note's :data:`SHARED_KEY` metadata, as ``user_id``."""
        key: List[JsonValue] = [note_id, SHARED_KEY]
        value = "true" if shared else "false"
        [found] = asker(self.server.ctx.execute, user_id)([
            f"select parent_id from Metadata where parent_id is {quote(note_id)} "
            f"and key is {quote(SHARED_KEY)}"
        ])  # fmt: skip
        data: JsonObject = {"__entity_type__": "Metadata", "value": value}
        if not found:
            data.update(parent_id=note_id, parent_type="Note", key=SHARED_KEY)
        operation: JsonObject = {
            "action": "update" if found else "create",
            "entity_type": "Metadata",
            "entity_key": key,
            "entity_data": data,
        }
        self.server.ctx.execute([operation], user_id)

    async def share(self, request: Request) -> Response:
        review_session_id, data, link = await self.base.access(request)
        fields = json_fields(await read_limited_body(request, MAX_BODY), MAX_BODY)
        answer = await run_in_threadpool(self._share, review_session_id, data, link, fields)
        await run_in_threadpool(record_act, self.server.store, "note.shared", link,
                                source_of(request), review_session_id, dict(answer))  # fmt: skip
        return no_store_json(answer)

    def routes(self) -> List[BaseRoute]:
        return [Route("/review/{review_session_id}/share", self.share, methods=["POST"])]

