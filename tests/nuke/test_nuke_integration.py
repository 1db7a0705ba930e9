"""``ft-dcc host install nuke`` builds a NUKE_PATH folder that works when Nuke runs it, and the
headless publish runs ``nuke -t`` (here the fake's stand-in) or says Nuke is missing."""

from __future__ import annotations

import os
import runpy
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import attr
import nuke
import pytest
from ft_dcc_hosts.nuke import callbacks
from ft_dcc_hosts.nuke.integration import integration
from nuke_helpers import FAKES, ROOT
from support import download_component, ffprobe, make_task, open_session

from ft_dcc.exceptions import HostError
from ft_dcc.host.headless import HeadlessPublish
from ft_dcc.publish.request.request import PublishRequest


def test_install_writes_init_and_menu_that_register_the_integration(tmp_path, monkeypatch):
    from ft_dcc import __version__

    built = integration.install(tmp_path / "dist")
    assert built == tmp_path / "dist" / "ft_dcc_nuke"
    assert sorted(p.name for p in built.iterdir()) == [__version__, "init.py", "menu.py"]
    init = (built / "init.py").read_text(encoding="utf-8")
    assert f'FT_DCC_PAYLOAD = "{__version__}"' in init  # ft_dcc travels in the folder
    assert str(ROOT) not in init
    assert "NUKE_PATH" in integration.install_instructions(built)
    assert str(built) in integration.install_instructions(built)

    # what Nuke does at start-up in the app: init.py, then menu.py
    nuke._fake.reset(gui=True)
    monkeypatch.setattr(sys, "path", list(sys.path))
    runpy.run_path(str(built / "init.py"))
    runpy.run_path(str(built / "menu.py"))
    assert nuke.menu("Nodes").findItem(callbacks.MENU_ITEM) is not None
    write = nuke.createNode("Write", inpanel=False)
    assert write.knob(callbacks.PUBLISH_KNOB) is not None
    assert nuke._fake.state.callbacks["afterRender"]["Write"]


def test_init_py_creates_no_ui_under_nuke_t(tmp_path):
    built = integration.install(tmp_path / "dist")
    runpy.run_path(str(built / "init.py"))  # terminal mode: nuke.menu would raise
    assert nuke._fake.state.called("menu") == []
    assert nuke._fake.state.callbacks["afterRender"]["Write"]


def test_headless_without_nuke_is_a_clear_host_error(tmp_path, comp, monkeypatch):
    monkeypatch.delenv("FT_DCC_NUKE", raising=False)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr("ft_dcc_hosts.nuke.integration.INSTALL_GLOBS", ())
    with pytest.raises(HostError, match="No Nuke executable") as error:
        integration.publish_headless(HeadlessPublish(tmp_path / "shot.nk", PublishRequest()))
    assert "FT_DCC_NUKE" in error.value.hint
    monkeypatch.setenv("FT_DCC_NUKE", str(tmp_path / "Nuke15.1"))  # set, but not there
    with pytest.raises(HostError, match="No Nuke executable"):
        integration.publish_headless(HeadlessPublish(tmp_path / "shot.nk", PublishRequest()))


def test_headless_publish_of_a_missing_script_is_a_clear_error(tmp_path):
    with pytest.raises(HostError, match="does not exist"):
        integration.publish_headless(HeadlessPublish(tmp_path / "nope.nk", PublishRequest()))


def fake_nuke_executable(folder: Path) -> Path:
    """A ``nuke`` wrapper running the fake's ``nuke -t`` stand-in in this Python."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapper = folder / "nuke"
    wrapper.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{FAKES / "nuke_terminal.py"}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return wrapper


def test_headless_publish_runs_nuke_t_and_publishes(
    tmp_path, comp, embedded_server, server_env, monkeypatch, capsys
):
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("FT_DCC_NUKE", str(fake_nuke_executable(tmp_path / "bin")))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))

    request = PublishRequest(task=task, review_session_name="Farm dailies")
    outcome = integration.publish_headless_result(HeadlessPublish(tmp_path / "shot.nk", request))

    assert outcome["exit_code"] == 0, outcome["text"] + outcome["log"][-2000:]
    report = outcome["report"]
    assert report["ok"] and report["capture"]["frame_start"] == 1001
    assert report["review_session_name"] == "Farm dailies"
    movie = download_component(
        embedded_server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    stream = ffprobe(movie)
    assert int(stream["nb_read_frames"]) == 12 and stream["r_frame_rate"] == "25/1"

    saved = tmp_path / "report.json"
    code = integration.publish_headless(
        HeadlessPublish(
            tmp_path / "shot.nk", PublishRequest(task="nope/sq/sh/comp"), report=saved, json=True
        )
    )
    assert code == 1
    assert '"ok": false' in capsys.readouterr().out
    assert "there is no ftrack project called 'nope'" in saved.read_text(encoding="utf-8")


def test_headless_picks_the_ticked_write_or_says_which_to_tick(comp, tmp_path):
    from ft_dcc_hosts.nuke.headless import parse_frames, pick_write_node

    from ft_dcc.exceptions import CaptureError

    assert pick_write_node(None) is comp  # the only Write
    other = nuke.nodes.Write(file=(tmp_path / "b.####.png").as_posix())
    with pytest.raises(
        CaptureError, match=r"several Write nodes to choose from \(Write1, Write2\)"
    ) as error:
        pick_write_node(None)
    assert "tick 'publish for review'" in error.value.hint
    callbacks.add_review_knobs(other)
    other[callbacks.PUBLISH_KNOB].setValue(True)
    assert pick_write_node(None) is other
    assert pick_write_node("Write1") == "Write1"  # named explicitly
    assert parse_frames("1001-1010") == (1001, 1010)
    assert parse_frames([1001, 1010]) == (1001, 1010)
    assert parse_frames("1005") == (1005, 1005)
    assert parse_frames(None) is None


def test_init_py_works_in_a_nuke_python_that_only_has_the_folder(tmp_path):
    """Nuke's own Python: no site-packages, only the NUKE_PATH folder; init.py must make ft_dcc
    and the adapters (``ft_dcc_hosts``, a folder called ``hosts`` here) importable itself."""
    built = integration.install(tmp_path / "dist")
    # the fake nuke itself uses attrs (real Nuke does not); site-packages holds no ft_dcc
    attr_folder = Path(attr.__file__).resolve().parents[1]
    probe = (
        "import runpy, sys; sys.path[:0] = [sys.argv[1], sys.argv[3]]\n"
        "import nuke; nuke._fake.reset(gui=True)\n"
        "runpy.run_path(sys.argv[2] + '/init.py'); runpy.run_path(sys.argv[2] + '/menu.py')\n"
        "from ft_dcc_hosts.nuke import callbacks\n"
        "assert nuke._fake.state.callbacks['afterRender']['Write']\n"
        "assert nuke.menu('Nodes').findItem(callbacks.MENU_ITEM) is not None\n"
        "print(callbacks.__file__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "FT_DCC_PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", probe, str(FAKES), str(built), str(attr_folder)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "publishing is off" not in done.stdout
    from ft_dcc import __version__

    payload = built / __version__ / "python"  # the folder's own copy, not this checkout
    callbacks_file = Path(done.stdout.strip().splitlines()[-1])
    assert callbacks_file == payload / "ft_dcc_hosts" / "nuke" / "callbacks.py"
