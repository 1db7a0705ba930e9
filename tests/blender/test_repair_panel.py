"""Debian's Blender 3.4 in a window: a studio check (on ``PYBLISHPLUGINPATH``) refuses the
sidebar's publish; the panel shows the check's label and message and a "Repair and publish"
button; the button's publish runs the check's repair in Blender (it gives the scene its ticket)
and publishes, read back through the genuine ``ftrack_api``. Screenshots of the panel:
test-artifacts/blender-repair-offered.png and blender-repair-published.png."""

from __future__ import annotations

import shutil
import uuid

import pytest
from blender_helpers import build_addon_zip, needs_gui_blender, run_blender, server_env, write_json
from gui_window import build_scene_34
from support import count_entities, genuine_sessions, make_task, open_session
from support.studio_plugins import plugin_files_dir

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]

#: the shot's length (the demo scene's 12 cut to the task's range by the script): what is
#: checked is the repair, and each captured frame costs a software-GL render and redraws
FRAMES = 4

#: a studio validator of Blender's own whose repair changes the scene: the scene's "ticket"
#: custom property (the repair sets it from the task's name)
TICKET_PLUGIN = """
import bpy
import pyblish.api


class SetTicketFromTask(pyblish.api.Action):
    label = "Set the ticket from the task"
    on = "failed"

    def process(self, context, plugin):
        for instance in context:
            bpy.data.scenes[0]["ticket"] = str(instance.data["task"]).split("/")[-1]


class ValidateSceneTicket(pyblish.api.InstancePlugin):
    label = "Scene names its ticket"
    order = pyblish.api.ValidatorOrder + 0.4
    families = ["review"]
    actions = [SetTicketFromTask]

    def process(self, instance):
        if not bpy.data.scenes[0].get("ticket"):
            raise ValueError("give the scene its ticket (the scene's custom property 'ticket')")
"""


def test_the_panel_offers_the_repair_and_its_button_repairs_and_publishes(
    tmp_path, blender_env, embedded_server, artifacts_dir, monkeypatch
):
    folder = plugin_files_dir(tmp_path, monkeypatch, {"validate_scene_ticket.py": TICKET_PLUGIN})
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blrp{uuid.uuid4().hex[:8]}", 1001, 1000 + FRAMES)
    env = dict(server_env(blender_env, embedded_server), PYBLISHPLUGINPATH=str(folder))
    shots = tmp_path / "shots"
    shots.mkdir()
    options = {
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": "Repair dailies",
        "comment": "new timing",
        "screenshots": str(shots),
        "frame_end": 1000 + FRAMES,
    }
    before = count_entities(session)
    result = run_blender(
        "repair_panel.py",
        [write_json(tmp_path / "r.json", options)],
        env,
        gui=True,
        blend=build_scene_34(tmp_path),
    )

    refused, repaired = result["refused"], result["repaired"]
    assert refused["outcome"] == "failed", refused["status"]
    assert refused["report"]["asset_version_id"] is None
    (offer,) = refused["repairs"]
    assert offer == {
        "label": "Set the ticket from the task",
        "check": "Scene names its ticket",
        "message": "give the scene its ticket (the scene's custom property 'ticket')",
    }
    texts = [text for text, _icon in refused["labels"]]
    assert ["Scene names its ticket", "ERROR"] in refused["labels"]
    assert "give the scene its ticket" in " ".join(texts)  # the message, over a few lines
    (button,) = [b for b in refused["buttons"] if b["text"] == "Repair and publish"]
    assert button == {
        "idname": "ftdcc.publish",
        "text": "Repair and publish",
        "set": {"repair": True},
    }
    assert "Repair and publish: runs 'Set the ticket from the task'" in refused["status"]
    assert "--repair" not in refused["status"]
    shutil.copy(shots / "panel-refused.png", artifacts_dir / "blender-repair-offered.png")

    assert repaired["outcome"] == "published", repaired["status"]
    assert repaired["repairs"] == [] and not any(
        b["text"] == "Repair and publish" for b in repaired["buttons"]
    )
    assert result["ticket"] == task.split("/")[-1]  # the repair ran in Blender
    shutil.copy(shots / "panel-repaired.png", artifacts_dir / "blender-repair-published.png")
    assert count_entities(open_session(embedded_server, tmp_path / "again")) != before
    with genuine_sessions(embedded_server, tmp_path / "genuine") as make:
        version = make().get("AssetVersion", repaired["report"]["asset_version_id"])
        assert version["comment"] == "new timing"
        assert "ftrackreview-mp4" in {c["name"] for c in version["components"]}
