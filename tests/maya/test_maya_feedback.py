"""ftrack > Review feedback on the honest Maya fake, reading the real embedded server: the window
lists statuses and notes of the task's latest versions; choosing a note sets the current time."""

from __future__ import annotations

import pytest
from ft_dcc_hosts.maya import choices, feedback, menu
from support import make_task, open_session
from support.feedback import seed_feedback

from ft_dcc.publish.context.tasks import resolve_task


@pytest.fixture(autouse=True)
def _forget_choices():
    choices.last_choices.clear()
    yield
    choices.last_choices.clear()


def test_the_menu_opens_the_feedback_window_and_notes_set_the_time(
    maya_state, server_env, tmp_path, monkeypatch
):
    session = open_session(server_env, tmp_path)
    path = make_task(session, fstart=1001, fend=1012)
    task = resolve_task(session, None, path)
    seed_feedback(session, session.get("Project", task["project_id"]), task)
    monkeypatch.setenv("FTRACK_CONTEXTID", task["id"])
    menu.build_menu()
    maya_state.click("Review feedback")

    window = maya_state.ui[feedback.WINDOW]
    assert window["shown"] and window["flags"]["title"] == f"ftrack review feedback: {path}"
    (listing,) = [n for n, i in maya_state.ui.items() if i["type"] == "textScrollList"]
    items = maya_state.ui[listing]["items"]
    assert items[0] == "sh010_anim v002  (Feedback)"
    assert items[1:3] == ["  Approved: Ana Lee", "  Changes requested: bob"]
    assert items[3].strip().startswith("1003") and "nice arc" in items[3]
    assert items[4].strip().startswith("1010") and "arm pops here" in items[4]
    assert "old take" not in " ".join(items)  # v001 is not the latest version

    maya_state.select_list_item(listing, 5)  # the note at 1010
    assert maya_state.current_time == 1010.0
    maya_state.select_list_item(listing, 2)  # a status: no frame, the time stays
    assert maya_state.current_time == 1010.0

    maya_state.click("Review feedback")  # again: the window is replaced, not duplicated
    assert sum(1 for i in maya_state.ui.values() if i["type"] == "window") == 2  # + MayaWindow


def test_an_unknown_task_is_explained(maya_state, server_env):
    assert feedback.show_feedback("Nope/Task") is None
    (dialog,) = maya_state.dialogs
    assert "no ftrack project called 'Nope'" in dialog["message"]
    assert feedback.WINDOW not in maya_state.ui


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "published"), [("No", False), ("Yes", True)])
def test_the_menu_asks_about_a_misspelt_review_session(
    saved_scene, maya_state, server_env, tmp_path, answer, published
):
    from ft_dcc.review import sessions as review

    session = open_session(server_env, tmp_path)
    task = resolve_task(session, None, make_task(session, fstart=1001, fend=1012, fps=24))
    project = session.get("Project", task["project_id"])
    review.find_or_create_review_session(session, project, "Dailies 2026-11-22")
    maya_state.answers["confirmDialog"] = [answer]  # the question, then the report (default)
    answers = {"task": task["id"], "review_session": "Dailies 2026-11-2", "comment": ""}
    report = menu.publish_for_review(answers)
    asked, shown = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert "but 'Dailies 2026-11-22' is open" in asked["message"]
    assert report.ok is published
    if not published:
        assert "a misspelling?" in shown["message"]
    names = session.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    expected = ["Dailies 2026-11-2", "Dailies 2026-11-22"] if published else ["Dailies 2026-11-22"]
    assert sorted(r["name"] for r in names.all()) == expected
