"""What the review page writes: notes (with replies), drawn annotations and invitees' statuses.

Everything goes through ``execute(operations, user_id)`` as the link's acting user, in one batch
per request, so the closed-session rule (:mod:`ft_dcc.server.rules.review`), the writer lock and
the ``ftrack.update`` events apply as to any ``/api`` batch. A drawing is ftrack's shape for
annotations: a Note with the frame in its ``frame`` metadata (and, for a drawing held over several
frames, the last one in ``frame_out``) and the PNG as a FileComponent in ``ftrack.server``
linked through ``NoteComponent``.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from ft_dcc.protocol import REVIEW_COMPONENT_IMAGE, SERVER_LOCATION_ID
from ft_dcc.protocol.feedback import FRAME_KEY, FRAME_OUT_KEY, StatusFacts, display_name
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import BadInput, NotFound
from ft_dcc.server.files.filestore import FileStore, check_component_id, storage_faults
from ft_dcc.server.review.feedback.drawing import held_range, movie_span
from ft_dcc.server.review.feedback.mentions import mention_operations
from ft_dcc.server.review.feedback.verdict_status import status_operations
from ft_dcc.server.review.reads.data import (
    MAX_NOTE_LENGTH,
    USERS,
    NoteView,
    ReviewData,
    parse_date,
)
from ft_dcc.server.store.store import Execute

#: the statuses a reviewer gives a version (ReviewSessionObjectStatus.status)
STATUSES = ("approved", "require_changes")


def _create(entity_type: str, data: Dict[str, Any], key: List[str]) -> Dict[str, Any]:
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": key,
        "entity_data": dict(data, __entity_type__=entity_type),
    }


class ReviewWriter(ReviewData):
    """Writes feedback into one review session as ``user_id``."""

    def __init__(self, execute: Execute, user_id: str, review_session_id: str) -> None:
        super().__init__(execute, user_id)
        self.review_session_id = check_component_id(review_session_id)

    def check_object(self, object_id: str) -> str:
        found = self._query(
            "select id from ReviewSessionObject "
            f"where id is {quote(check_component_id(object_id))} "
            f"and review_session_id is {quote(self.review_session_id)}"
        )
        if not found:
            raise NotFound(
                "That item is not part of this review session; send the object_id of one of "
                "its items."
            )
        return found[0]["id"]

    def reply_target(self, object_id: str, in_reply_to_id: str) -> str:
        """The object of the note ``in_reply_to_id`` answers (it must be in this session)."""
        note_id = check_component_id(in_reply_to_id)
        notes = self._query(f"select id, parent_id from Note where id is {quote(note_id)}")
        parent = notes[0].get("parent_id") if notes else None
        if not parent or parent not in self.object_ids(self.review_session_id):
            raise NotFound("in_reply_to_id is not a note of this review session; send the id of "
                             "one of its notes.")  # fmt: skip
        if object_id and object_id != parent:
            raise BadInput("in_reply_to_id is a note on another item; reply on its own item.")
        return str(parent)

    def _note_ops(
        self,
        note_id: str,
        object_id: str,
        content: str,
        frame: Optional[int],
        in_reply_to_id: Optional[str] = None,
        frame_out: Optional[int] = None,
        todo: bool = True,
    ) -> List[Dict[str, Any]]:
        data: Dict[str, Any] = {
            "id": note_id,
            "content": content,
            "parent_id": object_id,
            "parent_type": "ReviewSessionObject",
            "user_id": self.user_id,
            # a note is a to-do unless marked as a comment; a reply never is
            "is_todo": todo and not in_reply_to_id,
        }
        if in_reply_to_id:
            data["in_reply_to_id"] = in_reply_to_id
        operations = [_create("Note", data, [note_id])]
        if frame is not None:
            meta = {
                "parent_id": note_id,
                "parent_type": "Note",
                "key": FRAME_KEY,
                "value": str(int(frame)),
            }
            operations.append(_create("Metadata", meta, [note_id, FRAME_KEY]))
        if frame is not None and frame_out is not None and frame_out != frame:
            last = dict(meta, key=FRAME_OUT_KEY, value=str(int(frame_out)))
            operations.append(_create("Metadata", last, [note_id, FRAME_OUT_KEY]))
        return operations

    def reopen(self, note_id: str) -> None:
        """Clear the completion of a to-do of this session (who may: rules/note_todos.py)."""
        ident = check_component_id(note_id)
        notes = self._query(f"select id, parent_id from Note where id is {quote(ident)}")
        parent = notes[0].get("parent_id") if notes else None
        if not parent or parent not in self.object_ids(self.review_session_id):
            raise NotFound("note_id is not a note of this review session; send one of its notes.")
        data = {"__entity_type__": "Note", "completed_at": None, "completed_by_id": None}
        operation: Dict[str, Any] = {
            "action": "update", "entity_type": "Note", "entity_key": [ident], "entity_data": data,
        }  # fmt: skip
        self._execute([operation], self.user_id)

    def _users_named(self, names: Iterable[str]) -> List[Dict[str, Any]]:
        return self._in("select id, username from User where username in", names)

    def _reviewable(self, object_id: str) -> Optional[Dict[str, Any]]:
        """``object_id``'s review movie, or its still's ``ftrackreview-image`` (None: neither)."""
        found = self._query(
            "select version_id from ReviewSessionObject "
            f"where id is {quote(check_component_id(object_id))}"
        )
        version_id = found[0].get("version_id") if found else None
        if not version_id:
            return None
        return self._movies({version_id: {"id": version_id}}).get(version_id)

    def is_still(self, object_id: str) -> bool:
        """Whether ``object_id`` is a still (one picture, no frames: its notes carry none)."""
        return _still(self._reviewable(object_id))

    def frame_span(self, object_id: str) -> Optional[Tuple[int, int]]:
        """The first and last shot frame of ``object_id``'s review movie (None: unknown)."""
        movie = self._reviewable(object_id)
        return movie_span(movie["meta"]) if movie else None

    def _view(self, note_id: str, reply: Any, content: str, **extra: Any) -> NoteView:
        user = self._by_id(USERS, [self.user_id]).get(self.user_id)
        return NoteView(
            id=note_id,
            content=content,
            author=display_name(user),
            date=parse_date((reply.get("data") or {}).get("date")),
            author_email=(user or {}).get("email") or "",
            **extra,
        )

    def add_note(
        self,
        object_id: str,
        content: object,
        frame: Optional[int],
        in_reply_to_id: Optional[str] = None,
        comment: bool = False,
    ) -> NoteView:
        """A Note on ``object_id`` (or answering ``in_reply_to_id``) with its frame: an ftrack
        to-do unless it is a ``comment`` or a reply."""
        content = _checked_content(content, required=True)
        if in_reply_to_id:
            object_id = self.reply_target(object_id, in_reply_to_id)
        object_id = self.check_object(object_id)
        if frame is not None and self.is_still(object_id):
            frame = None  # a still has one picture and no frames
        note_id = str(uuid.uuid4())
        operations = self._note_ops(
            note_id, object_id, content, frame, in_reply_to_id, todo=not comment
        )
        operations += mention_operations(note_id, content, self._users_named)
        replies = self._execute(operations, self.user_id)
        return self._view(
            note_id,
            replies[0],
            content,
            frame=frame,
            in_reply_to_id=in_reply_to_id,
            parent_id=object_id,
            is_todo=not comment and not in_reply_to_id,
        )

    def add_annotation(
        self,
        files: FileStore,
        object_id: str,
        frame: Optional[int],
        png: bytes,
        content: object = "",
        frame_out: Optional[int] = None,
    ) -> NoteView:
        """A Note at ``frame`` (held to ``frame_out``, inclusive) with the drawing ``png``
        attached (stored in ftrack.server); :class:`BadRange` for frames the version has not.
        A drawing on a still has no frame (whatever was sent): the picture is its place."""
        content = _checked_content(content, required=False)
        object_id = self.check_object(object_id)
        reviewable = self._reviewable(object_id)
        if _still(reviewable):
            frame = frame_out = None
        elif frame is None:
            raise BadInput("frame is required: the frame of the movie the drawing is on.")
        else:
            span = movie_span(reviewable["meta"]) if reviewable else None
            frame_out = held_range(frame, frame_out, span)
        note_id, component_id = str(uuid.uuid4()), str(uuid.uuid4())
        named = "still" if frame is None else frame
        _store_png(files, component_id, png, f"annotation_{named}.png")
        component = {
            "id": component_id,
            "name": "annotation",
            "file_type": ".png",
            "system_type": "file",
            "size": len(png),
        }
        location_id = str(uuid.uuid4())
        place = {
            "id": location_id,
            "component_id": component_id,
            "location_id": SERVER_LOCATION_ID,
            "resource_identifier": component_id,
        }
        link = {"note_id": note_id, "component_id": component_id}
        operations = self._note_ops(note_id, object_id, content, frame, frame_out=frame_out)
        operations += [
            _create("FileComponent", component, [component_id]),
            _create("ComponentLocation", place, [location_id]),
            _create("NoteComponent", link, [component_id, note_id]),
        ]
        try:
            replies = self._execute(operations, self.user_id)
        except BaseException:
            files.remove(component_id)
            raise
        return self._view(
            note_id,
            replies[0],
            content,
            frame=frame,
            annotation_id=component_id,
            parent_id=object_id,
            frame_out=frame_out if frame_out != frame else None,
            is_todo=True,
        )

    def set_status(
        self, object_id: str, invitee_id: str, status: str, counted: Optional[Set[str]] = None,
        moves: bool = True,
    ) -> StatusFacts:  # fmt: skip
        """``invitee_id``'s current status on ``object_id``: replaces any earlier one. When it
        ``moves`` the version's status (a studio verdict, or a client's the session's rule maps),
        the verdicts of ``counted`` invitees (None: all) decide it with it."""
        if status not in STATUSES:
            raise BadInput(f"status must be one of {', '.join(STATUSES)}.")
        object_id = self.check_object(object_id)
        earlier = self._query(
            "select id from ReviewSessionObjectStatus "
            f"where review_session_object_id is {quote(object_id)} "
            f"and review_session_invitee_id is {quote(check_component_id(invitee_id))}"
        )
        status_id = str(uuid.uuid4())
        operations: List[Dict[str, Any]] = [
            {
                "action": "delete",
                "entity_type": "ReviewSessionObjectStatus",
                "entity_key": [r["id"]],
            }
            for r in earlier
        ]
        data = {
            "id": status_id,
            "status": status,
            "review_session_object_id": object_id,
            "review_session_invitee_id": invitee_id,
        }
        operations.append(_create("ReviewSessionObjectStatus", data, [status_id]))
        # the verdict moves the version's workflow status in the same batch (or neither)
        if moves:
            operations += status_operations(
                self._execute, self.user_id, object_id, invitee_id, status, counted
            )
        self._execute(operations, self.user_id)
        return next(s for s in self.statuses([object_id]) if s.invitee_id == invitee_id)


def _still(reviewable: Optional[Dict[str, Any]]) -> bool:
    return reviewable is not None and reviewable["name"] == REVIEW_COMPONENT_IMAGE


def _checked_content(content: object, *, required: bool) -> str:
    if not isinstance(content, str):
        raise BadInput("The note's content must be text.")
    try:
        content.encode("utf-8")  # lone surrogates (e.g. "\\ud800") cannot be stored
    except UnicodeError as exc:
        raise BadInput(str(exc)) from None
    content = content.strip()
    if required and not content:
        raise BadInput("The note is empty; write something first.")
    if len(content) > MAX_NOTE_LENGTH:
        raise BadInput(f"The note is longer than {MAX_NOTE_LENGTH} characters; shorten it.")
    return content


def _store_png(files: FileStore, component_id: str, png: bytes, file_name: str) -> None:
    tmp = files.incoming / f"{component_id}.{uuid.uuid4().hex}.upload"
    try:
        with storage_faults("the drawing"):
            tmp.write_bytes(png)
            files.store_local_file(tmp, component_id, file_name)
    finally:
        if tmp.exists():
            os.unlink(tmp)
