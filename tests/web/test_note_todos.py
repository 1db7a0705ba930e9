"""Notes are ftrack to-dos: a note written on the review page is a ``Note`` with ``is_todo``
true unless its writer marks it as a comment (``"comment": true``); a reply threads under what
it answers (``in_reply_to``) and is not a to-do. Over real HTTP as an invitee (a client), read
back with the genuine ``ftrack_api`` client and through the page's own ``/feedback``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from support import genuine_sessions
from support.trust import add_api_user

from ft_dcc.review.feedback import versions_feedback

from .feedback_fixtures import link, make_dailies, personal_link


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


def test_page_notes_are_todos_unless_marked_comments_and_replies_thread_under_them(
    make_session: Any,
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v001 = dailies.objects[0]["id"]
    ann = link(session, dailies.ann)

    todo = ann.post("/notes", {"object_id": v001, "content": "Fin flickers", "frame": 1010})
    assert todo.status_code == 201, todo.text
    comment = ann.post(
        "/notes", {"object_id": v001, "content": "Lovely light", "frame": 1011, "comment": True}
    )
    assert comment.status_code == 201, comment.text
    reply = ann.post("/notes", {"in_reply_to_id": todo.json()["id"], "content": "Still there?"})
    assert reply.status_code == 201, reply.text
    assert (todo.json()["is_todo"], comment.json()["is_todo"], reply.json()["is_todo"]) == (
        True,
        False,
        False,
    )

    # a "comment" that is not true or false is refused, saying what to send; nothing written
    for wrong in ("yes", 1, None, ["x"]):
        refused = ann.post("/notes", {"object_id": v001, "content": "Odd", "comment": wrong})
        assert refused.status_code == 400, (wrong, refused.text)
        assert "comment" in refused.json()["error"], refused.text

    reader = make_session()
    notes = {
        n["content"]: n
        for n in reader.query(
            "select content, is_todo, completed_at, completed_by, in_reply_to "
            f'from Note where parent_id is "{v001}"'
        )
    }
    assert sorted(notes) == ["Fin flickers", "Lovely light", "Still there?"]
    assert notes["Fin flickers"]["is_todo"] is True
    assert notes["Lovely light"]["is_todo"] is False
    assert notes["Still there?"]["is_todo"] is False
    assert notes["Still there?"]["in_reply_to"]["id"] == todo.json()["id"]
    assert notes["Fin flickers"]["completed_at"] is None
    assert notes["Fin flickers"]["completed_by"] is None

    # the page reads the same: to-do or comment, open (not completed)
    read = personal_link(session, dailies.review_session).feedback()
    shown = {n["content"]: n for n in read["objects"][v001]["notes"]}
    assert {c: (n["is_todo"], n["completed_at"]) for c, n in shown.items()} == {
        "Fin flickers": (True, None),
        "Lovely light": (False, None),
        "Still there?": (False, None),
    }
    assert shown["Still there?"]["in_reply_to_id"] == todo.json()["id"]

    # the hosts' feedback panels read the same (the protocol's queries, with the genuine
    # client): the to-do open, the reply threaded under it, the comment not a to-do
    version_id = dailies.objects[0]["asset_version"]["id"]
    (panel,) = versions_feedback(reader, [version_id])
    listed = {n.content: n for n in panel.notes}
    assert sorted(listed) == ["Fin flickers", "Lovely light"]
    assert (listed["Fin flickers"].is_todo, listed["Fin flickers"].completed_at) == (True, None)
    assert listed["Lovely light"].is_todo is False
    assert [(r.content, r.is_todo) for r in listed["Fin flickers"].replies] == [
        ("Still there?", False)
    ]


def test_a_mention_makes_an_ftrack_recipient_of_that_user(
    make_session: Any, embedded_server: Any
) -> None:
    """``@username`` in a page note: a ``Recipient`` of that User with ``text_mentioned``, read
    back by the genuine client; a name that is no User's stays text."""
    session = make_session()
    dailies = make_dailies(session)
    tag = uuid.uuid4().hex[:6]
    artist_id, _key = add_api_user(embedded_server, f"artist{tag}")
    ann = link(session, dailies.ann)
    content = f"@artist{tag} the fin again; cc @nobody{tag}, mail me at ann@x.org"
    made = ann.post("/notes", {"object_id": dailies.objects[0]["id"], "content": content})
    assert made.status_code == 201, made.text
    note_id = made.json()["id"]
    rows = make_session().query(
        f'select resource_id, text_mentioned from Recipient where note_id is "{note_id}"'
    )
    mentioned = {r["resource_id"]: r["text_mentioned"] for r in rows}
    assert mentioned.pop(artist_id) == f"@artist{tag}"
    # what is left is the author's own (ftrack adds the author to a note with recipients)
    assert len(mentioned) == 1 and not any(mentioned.values()), mentioned
