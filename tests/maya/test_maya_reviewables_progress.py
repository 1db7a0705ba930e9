"""Progress across several cameras in one menu publish: Maya's main progress bar says which
camera of how many it captures and encodes, and keeps moving through the second camera instead
of sitting where the first one left it."""

from __future__ import annotations

from typing import Any, Dict, List

from ft_dcc_hosts.maya import choices, startup
from support import make_task, open_session


def _steps(history: List[Dict[str, Any]], which: str) -> List[int]:
    """The bar's values while the status names ``which`` (e.g. "(2 of 2)")."""
    return [s["progress"] for s in history if which in s.get("status", "") and "progress" in s]


def test_the_bar_names_each_camera_and_advances_through_both(
    saved_scene, maya_state, server_env, tmp_path
):
    choices.last_choices.clear()
    maya_state.add_camera("witnessCam", renderable=False)
    maya_state.save_scene_file(saved_scene)
    maya_state.modified = False
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    maya_state.answers["promptDialog"] = [
        ("OK", task), ("OK", "Two cameras"), ("OK", ""), ("OK", "shotCam, witnessCam"),
    ]  # fmt: skip
    startup.install()
    maya_state.run_deferred()
    maya_state.click("Publish for review")
    choices.last_choices.clear()

    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert shown["message"].startswith("Published 2 versions"), shown["message"]
    history = maya_state.progress_history
    statuses = [s["status"] for s in history if "status" in s]
    assert any(s.startswith("capture: shotCam (1 of 2)") for s in statuses), statuses
    assert any(s.startswith("capture: witnessCam (2 of 2)") for s in statuses), statuses
    assert any(s.startswith("encode: witnessCam (2 of 2)") for s in statuses), statuses
    values = [s["progress"] for s in history if "progress" in s]
    assert values == sorted(values), values  # one bar, never going back
    first, second = _steps(history, "(1 of 2)"), _steps(history, "(2 of 2)")
    assert max(second) > max(first)  # the second camera moves the bar on
    assert len(set(second)) > 1, second  # ... while it is captured and encoded
    assert values[-1] == 100
    assert not maya_state.progress_bar["active"]
