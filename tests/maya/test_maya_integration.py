"""The Maya integration: module install, mayapy lookup, and a headless publish through a
stand-in mayapy (this Python with the fake ``maya`` package on its path)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from ft_dcc_hosts.maya import integration as integration_module
from ft_dcc_hosts.maya.integration import integration
from maya_helpers import FAKES, ROOT
from support import make_task, open_session

from ft_dcc.exceptions import HostError
from ft_dcc.host.headless import HeadlessPublish
from ft_dcc.publish.request.request import PublishRequest


def test_install_writes_a_maya_module(tmp_path):
    from ft_dcc import __version__

    built = integration.install(tmp_path / "dist")
    assert built == tmp_path / "dist" / "ft_dcc_maya.mod"
    lines = built.read_text(encoding="utf-8").splitlines()
    module_dir = tmp_path / "dist" / "ft_dcc_maya" / __version__
    root = f"./ft_dcc_maya/{__version__}"
    assert lines == [f"+ ft_dcc_maya {__version__} {root}", "PYTHONPATH+:=python"]
    assert (module_dir / "python" / "ft_dcc" / "__init__.py").is_file()  # self-contained
    user_setup = module_dir / "scripts" / "userSetup.py"
    assert "startup.install()" in user_setup.read_text(encoding="utf-8")
    text = integration.install_instructions(built)
    assert "maya/modules" in text and "MAYA_MODULE_PATH" in text and "ftrack" in text


def test_missing_mayapy_is_a_clear_host_error(tmp_path, monkeypatch, saved_scene):
    monkeypatch.setenv("FT_DCC_MAYAPY", "none")
    assert integration_module.find_mayapy() is None
    with pytest.raises(HostError, match="mayapy") as caught:
        integration.publish_headless(HeadlessPublish(saved_scene, PublishRequest()))
    assert "FT_DCC_MAYAPY" in caught.value.hint


def test_missing_scene_is_a_clear_host_error(tmp_path):
    with pytest.raises(HostError, match="does not exist"):
        integration.publish_headless(HeadlessPublish(tmp_path / "nope.ma", PublishRequest()))


def _stand_in_mayapy(tmp_path: Path) -> Path:
    """A 'mayapy' that is this Python with the fake maya package first on its path."""
    script = tmp_path / "mayapy"
    python_path = os.pathsep.join([str(FAKES), str(ROOT)])
    script.write_text(
        f'#!/bin/sh\nPYTHONPATH="{python_path}" exec "{sys.executable}" "$@"\n', encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.slow
def test_headless_publish_runs_the_scene_through_mayapy(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("FT_DCC_MAYAPY", str(_stand_in_mayapy(tmp_path)))
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    request = PublishRequest(task=task, review_session_name="Farm dailies")
    outcome = integration.publish_headless_result(HeadlessPublish(saved_scene, request, json=True))
    assert outcome["exit_code"] == 0, outcome["text"] + outcome["log"][-3000:]
    report = outcome["report"]
    assert report["ok"] and report["review_session_name"] == "Farm dailies"
    assert report["capture"]["camera"] == "shotCam"  # batch: the scene's render camera
    assert report["capture"]["frame_start"] == 1001 and report["capture"]["frame_end"] == 1012
    version = open_session(server_env, tmp_path).query("select id from AssetVersion").one()
    assert version["id"] == report["asset_version_id"]


@pytest.mark.slow
def test_headless_publish_prints_the_report_and_exit_status(
    saved_scene, server_env, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("FT_DCC_MAYAPY", str(_stand_in_mayapy(tmp_path)))
    code = integration.publish_headless(
        HeadlessPublish(saved_scene, PublishRequest(task="no/such/task"))
    )
    assert code == 1
    assert "no/such/task" in capsys.readouterr().out


def test_the_entry_point_target_is_a_host_integration():
    """``maya = "ft_dcc_hosts.maya.integration:integration"`` names an object the CLI can use."""
    import importlib
    import inspect

    from ft_dcc.host.integrations import HostIntegration, available_integrations

    target = importlib.import_module("ft_dcc_hosts.maya.integration").integration
    assert target.name == "maya"
    for method in ("install", "install_instructions", "publish_headless"):
        expected = inspect.signature(getattr(HostIntegration, method)).parameters
        actual = inspect.signature(getattr(target, method)).parameters
        assert list(actual) == [p for p in expected if p != "self"], method
    if "maya" in available_integrations():  # once pyproject registers it
        from ft_dcc.host.integrations import find_integration

        assert find_integration("maya") is target


def test_user_setup_works_in_a_maya_python_that_only_has_the_module(tmp_path):
    """Maya's own Python: only the module's PYTHONPATH lines and its ``scripts`` folder;
    userSetup.py must make the adapters (``ft_dcc_hosts``) importable and add the menu."""
    from ft_dcc import __version__

    built = integration.install(tmp_path / "dist")
    module_root = built.parent / "ft_dcc_maya" / __version__
    module_paths = [str(module_root / "python")]  # PYTHONPATH+:=python
    scripts = module_root / "scripts"
    probe = (
        "import runpy, sys; sys.path[:0] = sys.argv[1:]\n"
        "from maya import cmds\n"
        "runpy.run_path(sys.argv[2] + '/userSetup.py')\n"
        "import ft_dcc_hosts.maya.startup as startup\n"
        "print(startup.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", probe, str(FAKES), str(scripts), *module_paths],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not available" not in done.stdout, done.stdout
    startup_file = Path(done.stdout.strip().splitlines()[-1])
    assert startup_file == module_root / "python" / "ft_dcc_hosts" / "maya" / "startup.py"


@pytest.mark.slow
def test_a_queued_headless_publish_shows_why_and_when_it_will_flush(
    saved_scene, tmp_path, monkeypatch, capsys
):
    """Exit status 75 (only queued): the artist sees the log lines saying why (the server could
    not be reached) and when the queued work goes out, not the host's last lines of noise."""
    from support.net import free_port

    from ft_dcc.publish.common.report import EXIT_QUEUED

    monkeypatch.setenv("FT_DCC_MAYAPY", str(_stand_in_mayapy(tmp_path)))
    monkeypatch.setenv("FTRACK_SERVER", f"http://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("FTRACK_API_USER", "artist")
    monkeypatch.setenv("FTRACK_API_KEY", "key")
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
    code = integration.publish_headless(
        HeadlessPublish(saved_scene, PublishRequest(task="proj/sq/sh/anim"))
    )
    shown = capsys.readouterr()
    assert code == EXIT_QUEUED, shown.out + shown.err
    said = shown.out + shown.err
    assert "could not be reached" in said or "unreachable" in said, said
    assert "127.0.0.1" in said  # why: which server
    assert "queue flush" in said  # when/how it goes out
    assert "queue entry" in said, said
    assert "next publish that reaches" in shown.err  # when it goes out by itself


def test_ft_dcc_publish_hands_the_host_the_typed_request_and_nothing_else(saved_scene, tmp_path):
    """``ft-dcc publish SCENE --host maya``: the request file holds the settled, typed request
    in its one JSON form (``publish``), the artist's own beside it in the same form (``asked``:
    what a queued publish journals) and the protocol's own keys; no options dict beside them
    (a stand-in mayapy keeps the file it was given)."""
    import json

    from support.cli import run_ft_dcc

    from ft_dcc.publish.request.request import Reviewable
    from ft_dcc.publish.request.wire import VERSION, VERSION_KEY, request_from_json

    seen = tmp_path / "seen.json"
    mayapy = tmp_path / "mayapy"
    mayapy.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        "request = json.load(open(sys.argv[2], encoding='utf-8'))\n"
        f"json.dump(request, open({str(seen)!r}, 'w', encoding='utf-8'))\n"
        "outcome = {'exit_code': 0, 'report': {'ok': True}, 'text': 'Published'}\n"
        "json.dump(outcome, open(request['result'], 'w', encoding='utf-8'))\n",
        encoding="utf-8",
    )
    mayapy.chmod(mayapy.stat().st_mode | stat.S_IEXEC)
    env = {name: value for name, value in os.environ.items() if not name.startswith("FTRACK_")}
    env.update(FT_DCC_MAYAPY=str(mayapy), FT_DCC_QUEUE_DIR=str(tmp_path / "queue"))
    done = run_ft_dcc(["publish", saved_scene, "--task", "p/sq/sh010/anim", "--camera", "shotCam",
                       "--comment", "pass 2", "--frames", "1001-1010", "--fps", "25",
                       "--invite", "ann@studio.example"], env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    request = json.loads(seen.read_text(encoding="utf-8"))
    assert sorted(request) == ["asked", "input", "publish", "python_path", "result"]
    assert request["input"] == str(saved_scene.resolve())
    assert request["publish"][VERSION_KEY] == VERSION
    typed = request_from_json(request["publish"])
    assert typed.reviewables == [Reviewable(source="shotCam")]
    assert (typed.task, typed.comment, typed.frames) == ("p/sq/sh010/anim", "pass 2", (1001, 1010))
    assert (typed.fps, typed.invitees) == (25, ("ann@studio.example",))
    assert typed.review_session_name  # settled: the settings' naming.review_session
    asked = request_from_json(request["asked"])  # the artist's own: the settings left out
    assert (asked.task, asked.comment, asked.review_session_name) == (typed.task, "pass 2", None)
