"""Change the frames a saved drawing is held over.

``POST /review/<rs id>/annotations/range?token=`` JSON ``{"note_id": str, "frame": int,
"frame_out": int (optional: the one frame)}`` answers ``{"id", "frame", "frame_out"}``. The
range is the note's Metadata ``frame`` and ``frame_out``
(:mod:`ft_dcc.server.review.feedback.drawing` checks it: ordered, bounded, inside the version's
frames).

**Who may**: the drawing's author, and a user who manages the session (its creator, a
Supervisor or Project Manager of its project, an administrator:
:func:`ft_dcc.server.rules.review.manages`) — each as the link writes
(:meth:`Link.writer`: an invitee, or the User who claimed them; a shared link without an
identity writes nothing). Anyone else gets a 403 and nothing changes; a note that is not a
drawing of this session is a 404; a closed session a 409.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.feedback import FRAME_OUT_KEY
from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import BadInput, NotFound
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.feedback.drawing import BadRange, held_range
from ft_dcc.server.review.feedback.writes import ReviewWriter
from ft_dcc.server.review.page.fields import frame_field
from ft_dcc.server.review.page.page import ReviewRoutes, json_post
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.rules.review import manages

log = logging.getLogger(__name__)

FRAME_KEY = "frame"
MAX_BODY = 1024
NOT_YOURS = (
    "Only the drawing's author, or those who manage the session (its creator, a Supervisor or "
    "Project Manager of its project, an administrator), change its frames; ask one of them."
)


def _metadata(note_id: str, key: str, value: Optional[int], exists: bool) -> JsonObject:
    """The operation that makes the note's ``key`` Metadata ``value`` (None: removes it)."""
    entity_key: List[JsonValue] = [note_id, key]
    if value is None:
        return {"action": "delete", "entity_type": "Metadata", "entity_key": entity_key}
    if exists:
        return {"action": "update", "entity_type": "Metadata", "entity_key": entity_key,
                "entity_data": {"value": str(value), "__entity_type__": "Metadata"}}  # fmt: skip
    data: JsonObject = {"parent_id": note_id, "parent_type": "Note", "key": key,
                        "value": str(value), "__entity_type__": "Metadata"}  # fmt: skip
    return {"action": "create", "entity_type": "Metadata", "entity_key": entity_key,
            "entity_data": data}  # fmt: skip


class DrawingRangeRoutes:
    """``POST /review/<rs id>/annotations/range`` for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.server = base.server

    def _drawing(self, writer: ReviewWriter, note_id: str) -> Tuple[Dict[str, Any], List[str]]:
        """The note ``note_id`` (a drawing on an item of this session) and its Metadata keys."""
        note = quote(check_component_id(note_id))
        notes = writer._query(
            f"select id, user_id, parent_id from Note where id is {note}"
            ' and parent_type is "ReviewSessionObject"'
        )
        drawn = notes and writer._query(
            f"select component_id from NoteComponent where note_id is {quote(notes[0]['id'])}"
        )
        if not drawn:
            raise NotFound("No such drawing in this review session; reload the page.")
        writer.check_object(notes[0]["parent_id"])  # NotFound: another session's
        keys = writer._query(f"select key from Metadata where parent_id is {quote(notes[0]['id'])}")
        return notes[0], [str(k.get("key")) for k in keys]

    def _change(self, review_session_id: str, data: ReviewData, link: Link,
                fields: JsonObject) -> Dict[str, object]:  # fmt: skip
        unknown = sorted(str(k)[:40] for k in fields if k not in ("note_id", "frame", "frame_out"))
        if unknown:
            raise BadInput(f"Unknown fields {unknown}; send note_id, frame and frame_out.")
        note_id = fields.get("note_id")
        if not isinstance(note_id, str):
            raise BadInput("note_id must be the id of a drawing's note.")
        first = frame_field(fields, required=True)
        last = frame_field(fields, required=False, name="frame_out")
        facts = data.session_facts(review_session_id)
        if facts is None:
            raise NotFound("No such review session; it may have been deleted.")
        if not facts.is_open:
            raise BadInput("This review session is closed; its drawings stay as they are.", 409)
        execute, author = link.writer(self.server.store, self.server.ctx.execute)
        writer = ReviewWriter(execute, author, review_session_id)
        note, keys = self._drawing(writer, note_id)
        if note.get("user_id") != author and not manages(self.server.store, author, facts.id):
            raise BadInput(NOT_YOURS, 403)
        assert first is not None
        try:
            last = held_range(first, last, writer.frame_span(note["parent_id"]))
        except BadRange as exc:
            raise BadInput(str(exc)) from None
        operations = [_metadata(note["id"], FRAME_KEY, first, FRAME_KEY in keys)]
        if last != first or FRAME_OUT_KEY in keys:
            held = last if last != first else None
            operations.append(_metadata(note["id"], FRAME_OUT_KEY, held, FRAME_OUT_KEY in keys))
        writer._execute(operations, author)
        log.info("drawing %s held over %s-%s by %s", note["id"], first, last, author)
        return {"id": note["id"], "frame": first, "frame_out": last}

    async def change(self, request: Request) -> Response:
        return await json_post(self.base, request, MAX_BODY, self._change)

    def routes(self) -> List[BaseRoute]:
        path = "/review/{review_session_id}/annotations/range"
        return [Route(path, self.change, methods=["POST"])]
