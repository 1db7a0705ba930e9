"""The JSON the review page's feedback routes answer: a note, a verdict, the whole feedback.

``GET /review/<rs id>/feedback?token=`` answers::

    {
      "me": {"invitee_id": str, "name": str, "email": str} | null,   # null: a user's link
      "audience": "studio" | "client" | "guest",      # who the reader is (what they see)
      "objects": {
        "<ReviewSessionObject id>": {
          "notes": [                                  # oldest first
            {"id": str, "content": str, "frame": int | null,
             "frame_out": int | null,      # the last frame a drawing is held to (= frame)
             "author": {"name": str, "email": str},
             "date": "2026-11-23T09:40:00+00:00" | null,   # ISO 8601, UTC
             "in_reply_to_id": str | null,
             "is_todo": bool,              # an ftrack to-do (not a comment, not a reply)
             "completed_at": str | null,   # when the to-do was addressed; null: open
             "annotation_url": "/review/<rs id>/media/<component id>?token=…" | null,
             "shared": bool}                 # a studio note shared with the session's clients
          ],
          "statuses": [                               # one per invitee, current only
            {"invitee_id": str, "name": str, "email": str,
             "status": "approved" | "require_changes", "date": str | null,
             "kind": "studio" | "client"}   # the studio's internal verdict, or a client's
          ],
          "version_status": {"name": str, "color": str} | null   # the version's ftrack status
        }
      }
    }

Every object of the session has an entry (empty lists when it has no feedback). What a reader
sees is their sight's (:mod:`ft_dcc.server.review.reads.sight`, read by ``ReviewData``): a client or
room guest gets no ``version_status``, no studio verdict, no unshared studio note, no studio
person's name; every ``email`` but ``me``'s is empty and every ``invitee_id`` but ``me``'s a
digest (``w:…``, as in the room's live events): the session's people are its owner's to know.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Collection, Dict, Optional

from ft_dcc.protocol.feedback import StatusFacts
from ft_dcc.server.review.access.links import Link, speaks_as
from ft_dcc.server.review.access.person_keys import public_key
from ft_dcc.server.review.access.viewer import invitee_kinds
from ft_dcc.server.review.feedback.addressed import addressed_by_item
from ft_dcc.server.review.reads.data import NoteView, ReviewData, parse_date
from ft_dcc.server.review.render.markup import media_url
from ft_dcc.server.store.store import Execute


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def note_json(note: NoteView, review_session_id: str, token: str) -> Dict[str, object]:
    """One note of the ``/feedback`` answer (see the module docstring)."""
    return {
        "id": note.id,
        "content": note.content,
        "frame": note.frame,
        "frame_out": note.frame if note.frame_out is None else note.frame_out,
        "author": {"name": note.author, "email": note.author_email},
        "date": _iso(note.date),
        "in_reply_to_id": note.in_reply_to_id,
        "is_todo": note.is_todo,
        "completed_at": _iso(note.completed_at),
        "annotation_url": media_url(review_session_id, note.annotation_id, token)
        if note.annotation_id
        else None,
        "shared": note.shared,
    }


def legacy_note_json(note: NoteView) -> Dict[str, object]:
    """A note as ``GET /notes`` answered before ``/feedback`` (author as a display name)."""
    date = note.date.strftime("%Y-%m-%d %H:%M UTC") if note.date else ""
    return {
        "id": note.id,
        "content": note.content,
        "author": note.author,
        "date": date,
        "frame": note.frame,
    }


def status_json(status: StatusFacts, studio: Collection[str] = ()) -> Dict[str, object]:
    """A verdict; ``studio``: the session's studio invitees (their verdicts are the studio's
    internal ones, every other one a client's)."""
    return {
        "invitee_id": status.invitee_id,
        "name": status.reviewer,
        "email": status.email,
        "status": status.status,
        "date": _iso(parse_date(status.date)),
        "kind": "studio" if status.invitee_id in studio else "client",
    }


def feedback_json(
    data: ReviewData, link: Link, review_session_id: str, execute: Execute
) -> Dict[str, object]:
    """The ``GET /feedback`` answer."""
    grouped = data.notes_by_item(review_session_id)
    objects: Dict[str, Dict[str, Any]] = {
        object_id: {
            "notes": [note_json(n, review_session_id, link.token) for n in notes],
            "statuses": [],
            "version_status": None,
        }
        for object_id, notes in grouped.items()
    }
    for object_id, version_status in data.version_statuses(list(grouped)).items():
        objects[object_id]["version_status"] = version_status
    studio = data.sight.studio_invitees
    if data.sight.is_studio:
        studio = frozenset(invitee_kinds(execute, review_session_id)["studio"])
    for status in data.statuses(list(grouped)):
        objects[status.object_id]["statuses"].append(status_json(status, studio))
    me = speaks_as(link, execute)
    if not data.sight.is_studio:
        _without_addresses(objects, review_session_id, me.id if me else "")
    else:  # what each version addresses of its previous version's to-dos (studio only)
        for object_id, summary in addressed_by_item(data.rows, list(objects)).items():
            objects[object_id]["addresses"] = summary
    return {"me": me.as_json() if me else None, "audience": data.sight.audience.value,
            "objects": objects}  # fmt: skip


def _without_addresses(objects: Dict[str, Dict[str, Any]], review_session_id: str,
                       own: str) -> None:  # fmt: skip
    """Blank the e-mail addresses of the feedback (who wrote stays named) and digest every
    invitee id but the reader's own
    (:func:`~ft_dcc.server.review.access.person_keys.public_key`, as the room's live
    events): the session's people, their addresses and ids are its owner's to know, not a
    client's or the room link's."""
    for entry in objects.values():
        for status in entry["statuses"]:
            status["email"] = ""
            if status.get("invitee_id") and status["invitee_id"] != own:
                status["invitee_id"] = public_key(review_session_id, "i:" + status["invitee_id"])
        for note in entry["notes"]:
            note["author"] = dict(note["author"], email="")
