"""The review page's feedback API: statuses, drawn annotations, note replies, the feedback read.

Every route needs ``?token=`` (a review link from ``get_widget_url`` with
``name="review_session"``, see :mod:`ft_dcc.server.review_access`). A link made for an invitee
(``entity_type="ReviewSessionInvitee"``) acts as that invitee: its notes are authored by the
User standing for the invitee's e-mail, its statuses are the invitee's. A link made for the
session (no invitee) acts as the user who made it. Errors are JSON ``{"error": "<what to do>"}``
with a 4xx status (400 bad input, 403 bad link or not allowed, 404 unknown object or note,
409 closed session, 413 too large); never a 5xx for any input.

``POST /review/<rs id>/status?token=`` JSON ``{"object_id": str, "status": "approved" |
"require_changes"}`` sets the link's invitee's current ``ReviewSessionObjectStatus`` on that
ReviewSessionObject (one per invitee per object: it replaces the previous one). Answers 200 with
the status entry (shape below). A link without an invitee answers 403 (only invitees have a
status).

``POST /review/<rs id>/annotations?token=`` JSON ``{"object_id": str, "frame": int, "png":
"data:image/png;base64,…", "content": str (optional)}`` creates a Note on the
ReviewSessionObject with the frame in its ``frame`` metadata and the PNG attached through a
``NoteComponent`` (the Component stored in the server location). Answers 201 with the note entry.

``POST /review/<rs id>/notes?token=`` (see :mod:`ft_dcc.server.review_page`) also takes
``"in_reply_to_id"``: the id of a note of the same session.

``GET /review/<rs id>/feedback?token=`` answers::

    {
      "me": {"invitee_id": str, "name": str, "email": str} | null,   # null: a user's link
      "objects": {
        "<ReviewSessionObject id>": {
          "notes": [                                  # oldest first
            {"id": str, "content": str, "frame": int | null,
             "author": {"name": str, "email": str},
             "date": "2026-11-23T09:40:00+00:00" | null,   # ISO 8601, UTC
             "in_reply_to_id": str | null,
             "annotation_url": "/review/<rs id>/media/<component id>?token=…" | null}
          ],
          "statuses": [                               # one per invitee, current only
            {"invitee_id": str, "name": str, "email": str,
             "status": "approved" | "require_changes", "date": str | null}
          ]
        }
      }
    }

Every object of the session has an entry (empty lists when it has no feedback).

``GET /review/<rs id>/live?token=`` (see :mod:`ft_dcc.server.review_live`) is a
``text/event-stream``: events ``note`` (``{"object_id", "note_id"}``), ``status``
(``{"object_id", "invitee_id"}``) and ``object`` (``{"object_id"}``), sent when any client
commits one; the page then re-reads ``/feedback`` (or reloads for a new object). A comment line
(``: keep-alive``) is sent every 15 seconds.
"""

from __future__ import annotations
