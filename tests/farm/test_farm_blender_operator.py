"""The Blender add-on's "Publish on the farm" writes the same bundle as ``ft-dcc farm submit``,
from the panel's task, review session and comment (the bpy module, in the background)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from farm_helpers import farm_env, scene_entry, template, validate
from support import make_task, open_session
from support.machine_tmp import assert_nothing_left_in_machine_tmp

SCRIPT = Path(__file__).with_name("scripts") / "farm_operator.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.blender,
    pytest.mark.skipif(importlib.util.find_spec("bpy") is None, reason="needs the bpy module"),
]


def click(tmp_path: Path, env: Dict[str, str], **options: Any) -> Dict[str, Any]:
    from ft_dcc_hosts.blender.integration import integration

    options.update(blend=str(tmp_path / "sh010_anim_v002.blend"),
                   zip=str(integration.install(tmp_path / "addon")))  # fmt: skip
    arguments = tmp_path / "click.json"
    arguments.write_text(json.dumps(options))
    done = subprocess.run([sys.executable, str(SCRIPT), "--", str(arguments)], env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    return dict(json.loads(lines[-1][len("RESULT ") :]), output=done.stdout)


def test_publish_on_the_farm_writes_the_bundle_of_the_panels_choices(
    embedded_server: Any, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = farm_env(embedded_server, tmp_path, HOME=str(home))
    with open_session(embedded_server, tmp_path) as session:  # no range or rate set: any goes
        task = make_task(session, f"farmop{uuid.uuid4().hex[:6]}", None, None)
    name = f"Farm from Blender {uuid.uuid4().hex[:6]}"
    result = click(tmp_path, env, task=task, review_session=name,
                   comment="from the panel")  # fmt: skip
    assert result["returned"] == ["FINISHED"], result["output"][-3000:]
    bundle = Path(result["bundle"])
    assert bundle.parent == tmp_path / "tmp"  # kept for the farm, in the temp folder it was given
    validate(bundle)
    assert [s["name"] for s in template(bundle)["steps"]] == [
        "01-sh010_anim capture", "01-sh010_anim publish",
    ]  # fmt: skip
    values = json.loads((bundle / "openjd_params.json").read_text())
    scene = scene_entry(bundle)
    assert scene["path"] == str(tmp_path / "sh010_anim_v002.blend")
    assert (scene["task"], values["ReviewSession"], values["Comment"]) == (
        task, name, "from the panel",
    )  # fmt: skip
    assert_nothing_left_in_machine_tmp(tmp_path)


def test_publish_on_the_farm_without_a_task_says_what_to_do_and_writes_nothing(
    embedded_server: Any, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = farm_env(embedded_server, tmp_path, HOME=str(home))
    result = click(tmp_path, env, task="", review_session="Never", comment="")
    assert result["returned"] == ["CANCELLED"]
    assert "no ftrack task for" in result["output"] and "give --task" in result["output"]
    assert result["bundle"] == ""
    assert not any(p.name.startswith("ft_dcc-farm-job-") for p in (tmp_path / "tmp").iterdir())
    assert_nothing_left_in_machine_tmp(tmp_path)
