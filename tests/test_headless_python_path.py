"""One rule puts ft_dcc on a host Python's ``sys.path`` (``ft_dcc.host.pythonpath``; before it,
Blender used ``site.addsitedir``, Maya prepended, Nuke appended). Each host's real headless script
is started in a Python that has nothing of ours (``-S -I``; real Blender for Blender): it reaches
the (missing) scene, and writes its result, only when the one rule put the request's
``python_path`` (ft_dcc's dependencies; the fake host for Maya and Nuke) on ``sys.path``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.machine_tmp import assert_nothing_left_in_machine_tmp

from ft_dcc.host import pythonpath
from ft_dcc.host.pythonpath import add_python_path, python_paths, request_python_path

ROOT = Path(__file__).resolve().parents[1]
FAKES = ROOT / "tests" / "fakes"


def test_folders_are_appended_after_the_hosts_own_and_never_twice(monkeypatch, tmp_path):
    own = [str(tmp_path / "host-own"), str(tmp_path / "studio")]
    monkeypatch.setattr(sys, "path", list(own))
    added = add_python_path([own[1], "/ours/a", "/ours/b", "/ours/a"])
    assert added == ["/ours/a", "/ours/b"]
    assert sys.path == [*own, "/ours/a", "/ours/b"]  # the host's packages stay first


@pytest.mark.parametrize(
    ("argv", "request_name"),
    [
        (["blender", "-b", "-P", "headless.py", "--", "{request}"], "Blender, after --"),
        (["headless.py", "{request}"], "mayapy and nuke -t, the last argument"),
    ],
)
def test_the_request_is_found_in_each_hosts_argv(tmp_path, argv, request_name):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"python_path": ["/x", "/y"]}), encoding="utf-8")
    argv = [a.format(request=request) for a in argv]
    assert pythonpath.request_path(argv) == request, request_name
    assert request_python_path(argv) == ["/x", "/y"]


def _request(tmp_path: Path, *extra_path: Path) -> Path:
    """A request for a scene that does not exist: the publish fails at once, but only after the
    script has read the request and imported ft_dcc through its python_path."""
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "input": str(tmp_path / "missing" / "shot.scene"),
                "result": str(tmp_path / "result.json"),
                "python_path": [*python_paths(), *map(str, extra_path)],
            }
        ),
        encoding="utf-8",
    )
    return request


def _result(tmp_path: Path, command: list, env: dict) -> tuple:
    """Run a host's ``command`` in ``tmp_path``: its exit status and the result it wrote."""
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600
    )
    result = tmp_path / "result.json"
    assert result.is_file(), f"no result written:\n{done.stdout}\n{done.stderr}"
    return done.returncode, json.loads(result.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("host", "fake"),
    [("maya", FAKES / "maya"), ("nuke", FAKES / "nuke")],
)
def test_maya_and_nuke_scripts_import_ft_dcc_only_through_the_request(tmp_path, host, fake):
    request = _request(tmp_path, fake)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    script = ROOT / "hosts" / host / "headless.py"
    code, outcome = _result(tmp_path, [sys.executable, "-S", "-I", str(script), str(request)], env)
    assert code == outcome["exit_code"] == 1
    assert "shot.scene" in outcome["text"], outcome


@pytest.mark.slow
@pytest.mark.blender
@pytest.mark.skipif(shutil.which("blender") is None, reason="no blender executable")
def test_the_blender_script_imports_ft_dcc_only_through_the_request(tmp_path):
    request = _request(tmp_path)
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FTRACK_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home), XDG_CACHE_HOME=str(home),
               TMPDIR=str(home / "tmp"))  # fmt: skip
    script = ROOT / "hosts" / "blender" / "headless.py"
    blender = ["blender", "-b", "--factory-startup", "--python-exit-code", "2"]
    _, outcome = _result(tmp_path, [*blender, "-P", str(script), "--", str(request)], env)
    assert outcome["exit_code"] == 1
    assert "shot.scene" in outcome["text"], outcome
    assert_nothing_left_in_machine_tmp(tmp_path)
