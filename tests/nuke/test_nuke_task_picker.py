"""Nodes > ftrack > Choose task... on the honest fake, against the embedded server:
project -> shot -> task menus with the script's own task first (its path matches the settings'
path template) and the recent ones next, a typed path ("did you mean" for an unknown one), the
settings profile that applies, and "Use this task" filling the Write node's task knob."""

from __future__ import annotations

import json
import uuid

import nuke
import nukescripts
import pytest
from ft_dcc_hosts.nuke import callbacks, task_picker
from support import make_task, open_session
from support.entities import add_picker_tasks

from ft_dcc.host.task_choices import RecentTasks

TEMPLATE = "jobs/{project}/{sequence}/{shot}/{task}/**"


@pytest.fixture
def project(embedded_server, server_env, tmp_path, monkeypatch) -> str:
    """A project ``<name>/sq010/{sh010/comp, sh010/anim, sh020/light}``, light recently
    published, a studio file with the path template and a Nuke profile, and the comp saved
    as ``jobs/<name>/sq010/sh010/comp/work/shot.nk`` in the app."""
    server_env(embedded_server)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the recent tasks
    name = f"nkpick{uuid.uuid4().hex[:6]}"
    session = open_session(embedded_server, tmp_path)
    make_task(session, name)
    add_picker_tasks(session, name)
    RecentTasks().remember(session.server_url, f"{name}/sq010/sh020/light")
    settings = {
        "settings": {"paths.task_templates": [TEMPLATE]},
        "profiles": [{"name": "nuke comp", "hosts": ["nuke"],
                      "settings": {"naming.review_session": "Comp {date}"}}],
    }  # fmt: skip
    (tmp_path / "studio.json").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "studio.json"))
    work = tmp_path / "jobs" / name / "sq010" / "sh010" / "comp" / "work"
    work.mkdir(parents=True)
    nuke._fake.reset(gui=True)
    nukescripts.reset()
    nuke.nodes.Write(file=(work / "render" / "shot.####.png").as_posix())
    nuke.scriptSaveAs((work / "shot.nk").as_posix())
    return name


def test_the_panel_narrows_project_shot_task_with_the_scripts_task_first(project):
    task_picker.install_menu()
    nuke.menu("Nodes").findItem(task_picker.MENU_ITEM).invoke()
    (panel,) = nukescripts.shown
    knobs = panel.knobs()
    assert knobs["project"].values() == [project]  # the script's project (path template)
    assert knobs["shot"].values() == ["sq010/sh010", "sq010/sh020"]
    assert knobs["task"].values() == ["comp (the script's)", "anim"]
    assert knobs["status"].value() == f"Task: {project}/sq010/sh010/comp"
    settings = knobs["settings"].value()
    assert settings.startswith("Profile 'nuke comp'\nfrom file studio.json"), settings
    assert "review_session: profile" in settings

    knobs["shot"].setValue("sq010/sh020")  # the artist picks the other shot
    assert knobs["task"].values() == ["light (recent)"]
    assert knobs["status"].value() == f"Task: {project}/sq010/sh020/light"

    knobs["path"].setValue(f"{project}/sq010/sh010/anmi")  # a typo
    assert knobs["status"].value() == (
        f"No task '{project}/sq010/sh010/anmi' here: did you mean '{project}/sq010/sh010/anim'?"
    )
    knobs["path"].setValue(f"{project}/sq010/sh010/anim")
    assert (knobs["shot"].value(), knobs["task"].value()) == ("sq010/sh010", "anim")

    nukescripts.press(panel, "use")
    write = nuke.toNode("Write1")  # the script's only Write: the one a publish takes
    assert write[callbacks.TASK_KNOB].value() == f"{project}/sq010/sh010/anim"


def test_use_without_a_write_to_take_says_what_to_do(project):
    other = nuke.nodes.Write(file="/tmp/unused.####.png")
    panel = task_picker.show_task_picker()
    assert panel is not None
    nukescripts.press(panel, "use")  # two Writes, none selected or ticked: which?
    assert nuke._fake.state.messages[-1].startswith("Select the Write node(s) to publish")
    assert other.knob(callbacks.TASK_KNOB) is None
    other.setSelected(True)
    nukescripts.press(panel, "use")
    assert other[callbacks.TASK_KNOB].value() == f"{project}/sq010/sh010/comp"


def test_a_refused_key_is_said_and_no_panel_opens(project, monkeypatch):
    monkeypatch.setenv("FTRACK_API_KEY", "not-the-key")
    assert task_picker.show_task_picker() is None
    assert nuke._fake.state.messages[-1].startswith("No tasks read:")
    assert nukescripts.shown == []
