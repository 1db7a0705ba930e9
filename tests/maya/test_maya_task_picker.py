"""The ftrack menu's "Choose task..." window on the honest fake, against a fresh embedded server:
the tasks are listed recent first, the filter field narrows them, clicking one makes it the
publish prompt's default, and the window says which settings profile applies."""

from __future__ import annotations

import json

from ft_dcc_hosts.maya import choices, menu, task_picker
from support import make_task, open_session
from support.entities import add_picker_tasks

from ft_dcc.host.task_choices import RecentTasks


def test_choose_task_window_lists_filters_and_sets_the_prompt_default(
    maya_state, server_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = {"profiles": [{"name": "maya anim", "hosts": ["maya"],
                              "settings": {"naming.review_session": "Anim {date}"}}]}  # fmt: skip
    (tmp_path / "studio.json").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "studio.json"))
    session = open_session(server_env, tmp_path)
    comp = make_task(session, "mpick")
    add_picker_tasks(session, "mpick")
    RecentTasks().remember(session.server_url, "mpick/sq010/sh020/light")
    choices.last_choices.clear()
    menu.build_menu()

    maya_state.click(task_picker.LABEL)

    window = maya_state.ui[task_picker.WINDOW]
    assert window["shown"]
    listing = next(n for n, c in maya_state.ui.items() if c["type"] == "textScrollList")
    assert maya_state.ui[listing]["items"] == [
        "mpick/sq010/sh020/light  (recent)",
        "mpick/sq010/sh010/anim",
        comp,
    ]
    field = next(n for n, c in maya_state.ui.items() if c["type"] == "textField")
    maya_state.type_into(field, "sh010 an")
    assert maya_state.ui[listing]["items"] == ["mpick/sq010/sh010/anim"]
    maya_state.select_list_item(listing, 1)
    assert choices.last_choices["task"] == "mpick/sq010/sh010/anim"  # the prompt's default
    texts = [c["flags"]["label"] for c in maya_state.ui.values() if c["type"] == "text"]
    assert "Task: mpick/sq010/sh010/anim" in texts
    assert any(t.startswith("Profile 'maya anim'\nfrom file studio.json") for t in texts), texts
