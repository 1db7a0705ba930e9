"""The review page's feedback API: statuses, drawn annotations, note replies, the feedback read.

Every route needs ``?token=`` (a review link from ``get_widget_url`` with
``name="review_session"``, see :mod:`ft_dcc.server.review.access.access`). A link made for an
invitee (``entity_type="ReviewSessionInvitee"``) acts as that invitee: its notes are authored by the
User standing for that invitee (:mod:`ft_dcc.server.review.access.identity`), its statuses are the
invitee's. A link made for the session (no invitee) writes nothing until its holder says who
they are (:mod:`ft_dcc.server.review.page.room`). Errors are JSON ``{"error": "<what to do>"}``
with a 4xx status (400 bad input, 403 bad link or not allowed, 404 unknown object or note,
409 closed session, 413 too large); never a 5xx for any input.

``POST /review/<rs id>/status?token=`` JSON ``{"object_id": str, "status": "approved" |
"require_changes"}`` sets the link's invitee's current ``ReviewSessionObjectStatus`` on that
ReviewSessionObject (one per invitee per object: it replaces the previous one). Answers 200 with
the status entry (shape below). A link without an invitee answers 403 (only invitees have a
status).

``POST /review/<rs id>/annotations?token=`` JSON ``{"object_id": str, "frame": int, "png":
"data:image/png;base64,…", "content": str (optional), "frame_out": int (optional)}`` creates a
Note on the ReviewSessionObject with the frame in its ``frame`` metadata and the PNG attached
through a ``NoteComponent`` (the Component stored in the server location). ``frame_out`` holds the
drawing over ``frame``..``frame_out`` (inclusive; default: the one frame), kept in the note's
``frame_out`` metadata: at most ``MAX_HELD_FRAMES`` frames, all inside the version's movie
(400 otherwise). A still (an ``ftrackreview-image``) has no frames: a drawing or note on it is
stored without any (``frame`` may be left out; one sent is not kept). Answers 201 with the note
entry.

``POST /review/<rs id>/notes?token=`` (see :mod:`ft_dcc.server.review.page.page`) also takes
``"in_reply_to_id"``: the id of a note of the same session.

``GET /review/<rs id>/feedback?token=`` answers the session's feedback (its shape:
:mod:`ft_dcc.server.review.feedback.feedback_json`).

``GET /review/<rs id>/live?token=`` (see :mod:`ft_dcc.server.review.presenter.live`) is a
``text/event-stream``: events ``note`` (``{"object_id", "note_id"}``), ``status``
(``{"object_id", "invitee_id"}``) and ``object`` (``{"object_id"}``), sent when any client
commits one; the page then re-reads ``/feedback`` (or reloads for a new object). A comment line
(``: keep-alive``) is sent every 15 seconds.
"""

from __future__ import annotations

import base64
import binascii
from typing import Callable, Dict, List, Optional, Set, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.client_review import CLIENT_VERDICT_SETS_STATUS
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import BadInput as BadInput
from ft_dcc.server.common.errors import NotFound
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.bodies import read_limited_body
from ft_dcc.server.review.access.audit_acts import record_act, source_of
from ft_dcc.server.review.access.identity import ensure_own_invitee
from ft_dcc.server.review.access.links import Link, speaks_as
from ft_dcc.server.review.access.viewer import invitee_kinds, session_setting
from ft_dcc.server.review.feedback.drawing import BadRange, NotAPng, check_png
from ft_dcc.server.review.feedback.feedback_json import (
    feedback_json,
    legacy_note_json,
    note_json,
    status_json,
)
from ft_dcc.server.review.feedback.writes import STATUSES, ReviewWriter
from ft_dcc.server.review.page.fields import frame_field, json_fields
from ft_dcc.server.review.page.page import ReviewRoutes
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.rules.review import manages

MAX_NOTE_BODY = 64 * 1024
#: The largest drawing accepted (the decoded PNG).
MAX_PNG_BYTES = 4 * 1024 * 1024
MAX_ANNOTATION_BODY = MAX_PNG_BYTES * 4 // 3 + MAX_NOTE_BODY
PNG_DATA_URL = "data:image/png;base64,"
NO_STORE = {"Cache-Control": "no-store"}


# -- input checks ---------------------------------------------------------------------------------
def _object_id(fields: JsonObject, required: bool = True) -> str:
    value = fields.get("object_id")
    if value is None and not required:
        return ""
    try:
        return check_component_id(value)
    except FileStoreError:
        raise BadInput("object_id must be the id of an item of this review session.") from None


def _optional_id(fields: JsonObject, name: str) -> Optional[str]:
    value = fields.get(name)
    if value is None:
        return None
    try:
        return check_component_id(value)
    except FileStoreError:
        raise BadInput(f"{name} must be a note id.") from None


def _comment(fields: JsonObject) -> bool:
    """Whether the note is a comment (not an ftrack to-do): ``"comment": true``; absent: no."""
    value = fields.get("comment", False)
    if not isinstance(value, bool):
        raise BadInput("comment must be true (a comment, not a to-do) or false (a to-do).")
    return value


def decode_png(value: object) -> bytes:
    """The PNG of a ``data:image/png;base64,…`` URL, or :class:`BadInput` saying what is wrong."""
    if not isinstance(value, str) or not value.startswith(PNG_DATA_URL):
        raise BadInput('png must be a "data:image/png;base64,..." URL (canvas.toDataURL()).')
    try:
        png = base64.b64decode(value[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("png is not valid base64.") from None
    if len(png) > MAX_PNG_BYTES:
        raise BadInput(f"The drawing is larger than {MAX_PNG_BYTES} bytes; draw less.", 413)
    try:
        check_png(png)
    except NotAPng as exc:
        raise BadInput(
            f"png is not a PNG image: {exc}. Send canvas.toDataURL('image/png')."
        ) from None
    return png


def _act_detail(fields: JsonObject, answer: Dict[str, object]) -> Dict[str, object]:
    """What the trail keeps of a write: the item, the note, its frame, the status given."""
    detail: Dict[str, object] = {"object_id": fields.get("object_id")}
    if "id" in answer:
        detail["note_id"] = answer["id"]
    for name in ("frame", "frame_out", "in_reply_to_id", "status"):
        if fields.get(name) is not None:
            detail[name] = fields.get(name)
    return detail


# -- routes ---------------------------------------------------------------------------------------
#: A handler checks its fields first, then calls the writer factory: the invitee's author row
#: is made only for a request that will write.
WriterFactory = Callable[[], ReviewWriter]
Handler = Callable[[WriterFactory, Link, JsonObject], Tuple[Dict[str, object], int]]


class FeedbackRoutes:
    """Notes, replies, drawings, statuses and the feedback read, for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.server = base.server

    async def _write(self, request: Request, limit: int, handler: Handler, act: str) -> Response:
        """Open the link, read the JSON body, check the session is open, run ``handler`` (its
        errors are the server's, answered by the app: ``ft_dcc.server.review.routes``), then
        add ``act`` to the audit trail."""
        review_session_id, data, link = await self.base.access(request)
        fields = json_fields(await read_limited_body(request, limit), limit)
        answer, status = await run_in_threadpool(
            self._run, review_session_id, data, link, fields, handler
        )
        detail = _act_detail(fields, answer)
        await run_in_threadpool(record_act, self.server.store, act, link, source_of(request),
                                review_session_id, detail)  # fmt: skip
        return JSONResponse(answer, status_code=status, headers=NO_STORE)

    def _run(
        self,
        review_session_id: str,
        data: ReviewData,
        link: Link,
        fields: JsonObject,
        handler: Handler,
    ) -> Tuple[Dict[str, object], int]:
        view = data.session_facts(review_session_id)
        if view is None:
            raise NotFound("No such review session; it may have been deleted.")
        if not view.is_open:
            raise BadInput(
                "This review session is closed; nothing can be added to it. Ask its owner to "
                "reopen it.",
                409,
            )
        execute, author = link.writer(self.server.store, self.server.ctx.execute)
        return handler(lambda: ReviewWriter(execute, author, review_session_id), link, fields)

    def _note(
        self, writer: WriterFactory, link: Link, fields: JsonObject
    ) -> Tuple[Dict[str, object], int]:
        reply_to = _optional_id(fields, "in_reply_to_id")
        object_id = _object_id(fields, required=reply_to is None)
        frame = frame_field(fields, required=False)
        comment = _comment(fields)
        made = writer()
        note = made.add_note(object_id, fields.get("content"), frame, reply_to, comment)
        answer = note_json(note, made.review_session_id, link.token)
        answer["author_name"] = note.author  # old pages showed ``author`` as a string
        return answer, 201

    def _annotation(
        self, writer: WriterFactory, link: Link, fields: JsonObject
    ) -> Tuple[Dict[str, object], int]:
        object_id = _object_id(fields)
        frame = frame_field(fields, required=False)  # a still's drawing has none
        frame_out = frame_field(fields, required=False, name="frame_out")
        png = decode_png(fields.get("png"))
        content = fields.get("content", "")
        made = writer()
        try:
            note = made.add_annotation(self.server.files, object_id, frame, png, content, frame_out)
        except BadRange as exc:
            raise BadInput(str(exc)) from None
        return note_json(note, made.review_session_id, link.token), 201

    def _status(
        self, writer: WriterFactory, link: Link, fields: JsonObject
    ) -> Tuple[Dict[str, object], int]:
        execute = self.server.ctx.execute
        invitee = speaks_as(link, execute)
        if invitee is None or (link.personal and not self._manages(link)):
            raise BadInput(
                "Only an invitee's link, or the own link of someone who manages the session "
                "(its creator, a Supervisor or Project Manager of its project, an "
                "administrator), gives a status; ask them for your own invitation link "
                "(get_widget_url with entity_type='ReviewSessionInvitee').",
                403,
            )
        object_id = _object_id(fields)
        status = fields.get("status")
        if status not in STATUSES:
            raise BadInput(f"status must be one of: {', '.join(STATUSES)}.")
        made = writer()
        made.check_object(object_id)
        if link.personal:
            ensure_own_invitee(execute, invitee, link.maker_id)
        counted, moves = self._counted(link, invitee.id)
        view = made.set_status(object_id, invitee.id, str(status), counted, moves)
        studio = {invitee.id} if link.personal else set()
        return status_json(view, studio), 200

    def _counted(self, link: Link, invitee_id: str) -> Tuple[Optional[Set[str]], bool]:
        """Whose verdicts move the version's status with this one (None: everyone's), and
        whether this one does: a studio member's always; a client's only when the session's
        client rule ``client_verdict_sets_status`` says so (then everyone's count)."""
        session_id = str(link.review_session_id)
        execute = self.server.ctx.execute
        if session_setting(execute, session_id, CLIENT_VERDICT_SETS_STATUS):
            return None, True
        studio = set(invitee_kinds(execute, session_id)["studio"])
        if link.personal:
            studio.add(invitee_id)  # a first verdict: its record was made just now
        return studio, link.personal

    def _manages(self, link: Link) -> bool:
        """Whether the User of a personal link manages its session (creator, Supervisor or Project
        Manager of its project, administrator)."""
        facts = ReviewData(self.server.ctx.execute, link.maker_id).session_facts(
            str(link.review_session_id)
        )
        return facts is not None and manages(self.server.store, link.maker_id, facts.id)

    async def add_note(self, request: Request) -> Response:
        return await self._write(request, MAX_NOTE_BODY, self._note, "note.created")

    async def add_annotation(self, request: Request) -> Response:
        return await self._write(request, MAX_ANNOTATION_BODY, self._annotation,
                                 "drawing.created")  # fmt: skip

    def _reopen(
        self, writer: WriterFactory, link: Link, fields: JsonObject
    ) -> Tuple[Dict[str, object], int]:
        note_id = _optional_id(fields, "note_id")
        if note_id is None:
            raise BadInput("note_id is required: the id of the addressed to-do to reopen.")
        writer().reopen(note_id)
        return {"id": note_id, "completed_at": None}, 200

    async def reopen(self, request: Request) -> Response:
        return await self._write(request, MAX_NOTE_BODY, self._reopen, "note.reopened")

    async def set_status(self, request: Request) -> Response:
        return await self._write(request, MAX_NOTE_BODY, self._status, "verdict.given")

    async def feedback(self, request: Request) -> Response:
        review_session_id, data, link = await self.base.access(request)
        answer = await run_in_threadpool(
            feedback_json, data, link, review_session_id, self.server.ctx.execute
        )
        return JSONResponse(answer, headers=NO_STORE)

    async def list_notes(self, request: Request) -> Response:
        review_session_id, data, _link = await self.base.access(request)
        grouped = await run_in_threadpool(data.notes_by_item, review_session_id)
        return JSONResponse(
            {item: [legacy_note_json(n) for n in notes] for item, notes in grouped.items()},
            headers=NO_STORE,
        )

    def routes(self) -> List[BaseRoute]:
        prefix = "/review/{review_session_id}"
        return [
            Route(f"{prefix}/notes", self.add_note, methods=["POST"]),
            Route(f"{prefix}/notes", self.list_notes, methods=["GET"]),
            Route(f"{prefix}/annotations", self.add_annotation, methods=["POST"]),
            Route(f"{prefix}/status", self.set_status, methods=["POST"]),
            Route(f"{prefix}/reopen", self.reopen, methods=["POST"]),
            Route(f"{prefix}/feedback", self.feedback, methods=["GET"]),
        ]
