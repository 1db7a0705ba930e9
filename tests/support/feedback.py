"""Review feedback written the way ftrack stores it, for the tests that read it back.

:func:`seed_feedback` publishes v001 and v002 of ``sh010_anim`` (in ``task`` when given) into a
review session "Feedback" and leaves feedback on them with the standard API: on v002 a note at
frame 1010 by invitee Ana (her User), a note with a drawing (a ``NoteComponent``) at 1003 by
Bob, a reply to Ana's note, Ana's "approved" (after a "require_changes" she took back) and Bob's
"require_changes"; on v001 a note at 1001 that the DCC views (latest versions only) must not show.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any, Dict, Optional

from ft_dcc.review import sessions as review

#: explicit, increasing dates: "oldest first" and "the latest status" do not hang on timing
_CLOCK = itertools.count()
_START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


def _tick() -> dt.datetime:
    return _START + dt.timedelta(minutes=next(_CLOCK))


def _user(session: Any, first: str, last: str, email: str) -> Any:
    data = {"username": f"{first.lower()}{uuid.uuid4().hex[:6]}", "email": email}
    return session.create("User", dict(data, first_name=first, last_name=last))


def _note(session: Any, item: Any, content: str, user: Any, frame: Optional[int]) -> Any:
    note = session.create(
        "Note",
        {
            "content": content,
            "parent_id": item["id"],
            "parent_type": "ReviewSessionObject",
            "date": _tick(),
        },
    )
    note["user_id"] = user["id"]
    if frame is not None:
        session.create(
            "Metadata",
            {"parent_id": note["id"], "parent_type": "Note", "key": "frame", "value": str(frame)},
        )
    return note


def seed_feedback(session: Any, project: Any, task: Any = None) -> Dict[str, Any]:
    """See the module docstring; returns the ids tests compare with."""
    asset_type = session.query('AssetType where short is "upload"').one()
    parent = session.get("TypedContext", task["parent_id"]) if task is not None else project
    asset = session.create("Asset", {"name": "sh010_anim", "parent": parent, "type": asset_type})
    extra = {"task": task} if task is not None else {}
    v001 = session.create("AssetVersion", dict(extra, asset=asset, version=1))
    v002 = session.create("AssetVersion", dict(extra, asset=asset, version=2))
    session.commit()
    target = review.find_or_create_review_session(session, project, "Feedback")
    old, item = (review.add_version(session, target, v) for v in (v001, v002))
    ana, bob = review.add_invitees(
        session, target, [{"name": "Ana Lee", "email": "ana@studio.com"}, "bob@studio.com"]
    )
    ana_user = _user(session, "Ana", "Lee", "ana@studio.com")
    bob_user = _user(session, "Bob", "", "bob@studio.com")
    me = session.query(f'select id from User where username is "{session.api_user}"').one()
    _note(session, old, "old take", ana_user, 1001)
    arm = _note(session, item, "arm pops here", ana_user, 1010)
    arc = _note(session, item, "nice arc, keep it", bob_user, 1003)
    drawing = session.create("Component", {"name": "annotation", "file_type": ".png"})
    session.create("NoteComponent", {"note_id": arc["id"], "component_id": drawing["id"]})
    reply = _note(session, item, "fixed in the next take", me, None)
    reply["in_reply_to_id"] = arm["id"]
    session.commit()
    for who, status in ((ana, "require_changes"), (bob, "require_changes"), (ana, "approved")):
        # Ana changed her mind: only her latest status counts
        session.create(
            "ReviewSessionObjectStatus",
            {
                "review_session_object_id": item["id"],
                "review_session_invitee_id": who["id"],
                "status": status,
                "created_at": _tick(),
            },
        )
    session.commit()
    return {"review_session": target, "drawing_id": drawing["id"], "v002": v002["id"]}
