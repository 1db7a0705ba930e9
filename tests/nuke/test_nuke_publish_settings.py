"""The settings profile that applies is shown in Nuke's publish flow: the app's report
dialog after a menu publish names the profile of this host and task and where it was read."""

from __future__ import annotations

import json
import uuid

import nuke
from ft_dcc_hosts.nuke import callbacks
from support import make_task, open_session

STUDIO = {
    "profiles": [
        {"name": "nuke comp", "hosts": ["nuke"], "task_types": ["Compositing"],
         "settings": {"naming.review_session": "Comp {date}"}},
        {"name": "maya only", "hosts": ["maya"], "settings": {"capture.scale": 0.5}},
    ]
}  # fmt: skip


def test_the_report_dialog_names_the_profile_the_publish_used(
    tmp_path, comp, embedded_server, server_env, monkeypatch
):
    server_env(embedded_server)
    (tmp_path / "studio.json").write_text(json.dumps(STUDIO), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "studio.json"))
    task = make_task(open_session(embedded_server, tmp_path), f"nk{uuid.uuid4().hex[:8]}")
    nuke._fake.reset(gui=True)
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    job = callbacks.publish_write_node(nuke.toNode("Write1"), task=task)
    state = nuke._fake.state
    state.run_main_thread(until=job.done)
    state.run_main_thread(until=state.main_queue.empty)
    assert job.report.ok, job.report.format()
    shown = state.messages[-1]
    assert shown.startswith("Published v001"), shown
    assert "in review session 'Comp " in shown, shown  # the session the profile names
    assert "\n\nSettings:\nProfile 'nuke comp'\nfrom file studio.json" in shown, shown
    assert "maya only" not in shown
