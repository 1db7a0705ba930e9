"""Nodes > ftrack > Review feedback on the honest Nuke fake (nuke + nukescripts.PythonPanel),
reading the real embedded server: the panel shows the latest versions' feedback; choosing a
note in "Go to note" sets the frame."""

from __future__ import annotations

import nuke
import nukescripts
import pytest
from ft_dcc_hosts.nuke import feedback
from support import make_task, open_session
from support.feedback import seed_feedback

from ft_dcc.publish.context.tasks import resolve_task


@pytest.fixture(autouse=True)
def _panels():
    nukescripts.reset()
    yield
    nukescripts.reset()


def test_the_menu_shows_the_panel_and_a_note_sets_the_frame(
    fresh_server, server_env, tmp_path, monkeypatch
):
    server_env(fresh_server)
    session = open_session(fresh_server, tmp_path)
    path = make_task(session, fstart=1001, fend=1012)
    task = resolve_task(session, None, path)
    seed_feedback(session, session.get("Project", task["project_id"]), task)
    monkeypatch.setenv("FTRACK_CONTEXTID", task["id"])
    monkeypatch.setenv("FTRACK_API_SCHEMA_CACHE_PATH", str(tmp_path / "schemas"))
    nuke._fake.reset(gui=True)
    feedback.install_menu()
    nuke.menu("Nodes").findItem(feedback.MENU_ITEM).invoke()

    (panel,) = nukescripts.shown
    knobs = panel.knobs()
    assert knobs["task"].value() == path
    text = knobs["feedback"].value()
    assert "sh010_anim v002  (Feedback)" in text and "Approved: Ana Lee" in text
    assert "old take" not in text  # v001 is not the latest version
    choices = knobs["note"].values()
    assert choices[0] == feedback.CHOOSE
    assert [c.split()[0] for c in choices[1:]] == ["1003", "1010"]  # notes with a frame

    nuke.frame(1001)
    knobs["note"].setValue(choices[2])  # the artist picks the note at 1010
    assert nuke.frame() == 1010
    knobs["note"].setValue(feedback.CHOOSE)  # the placeholder moves nothing
    assert nuke.frame() == 1010


def test_an_unknown_task_is_explained(fresh_server, server_env):
    server_env(fresh_server)
    nuke._fake.reset(gui=True)
    assert feedback.show_feedback("Nope/Task") is None
    assert "no ftrack project called 'Nope'" in nuke._fake.state.messages[-1]
    assert nukescripts.shown == []


def test_no_menu_under_nuke_t():
    feedback.install_menu()  # terminal mode: nothing, and no error
    assert nuke._fake.state.called("menu") == []
