"""The settings profile that applies is shown in Maya's publish flow: the menu's
review-session prompt names the profile of this host and task and where it was read."""

from __future__ import annotations

import json

from ft_dcc_hosts.maya import choices, menu
from support import make_task, open_session

STUDIO = {
    "profiles": [
        {"name": "maya comp", "hosts": ["maya"], "task_types": ["Compositing"],
         "settings": {"naming.review_session": "Comp {date}"}},
        {"name": "nuke only", "hosts": ["nuke"], "settings": {"capture.scale": 0.5}},
    ]
}  # fmt: skip


def test_the_review_session_prompt_names_the_profile_of_the_task(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    (tmp_path / "studio.json").write_text(json.dumps(STUDIO), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "studio.json"))
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    choices.last_choices.clear()
    maya_state.answers["promptDialog"] = [("OK", task), ("Cancel", None)]
    assert menu.publish_for_review() is None  # cancelled at the second prompt
    choices.last_choices.clear()
    prompts = [d for d in maya_state.dialogs if d["_kind"] == "promptDialog"]
    message = prompts[1]["message"]
    assert message.startswith("Review session (created when missing):"), message
    assert "Profile 'maya comp'\nfrom file studio.json" in message, message
    assert "review_session: profile" in message, message
    assert "nuke only" not in message
