"""Every option of ``ft-dcc publish`` works for every host, or is refused with a clear error where
it cannot work: a table of options x hosts, read from the parser (a new option fails
``test_every_publish_option_is_in_the_table`` until it is classified here).

A "works" cell is checked in one publish per host with every working option at once
(``test_every_working_option_does_what_it_says``: real ``ft-dcc publish`` processes; Blender is
the real one, Maya and Nuke the honest fakes of ``tests/fakes``) or, for the costly media
options, by the test named in ``PROVEN_ELSEWHERE``. A "refused" cell is checked by running the
option on that host: exit status 1, the error names the option, the server got no write.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
from support import download_component, ffprobe, make_movie, make_task, open_session
from support.cli import run_ft_dcc
from support.machine_tmp import assert_nothing_left_in_machine_tmp
from support.user_env import clean_environ
from test_context_create import writes_since

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "tests" / "fakes"
BURNIN_TEMPLATE = ROOT / "ft_dcc" / "media" / "burnin_default.json"

W, R = "works", "refused"
HOSTS = ("files", "blender", "maya", "nuke")
SCENES = {"blender": "shot.blend", "maya": "shot.ma", "nuke": "shot.nk", "files": "shot.mov"}


def _all(outcome: str) -> Dict[str, str]:
    return {host: outcome for host in HOSTS}


FILES_ONLY = {"files": W, "blender": R, "maya": R, "nuke": R}

#: option (its argparse dest) -> host -> works / refused
TABLE: Dict[str, Dict[str, str]] = {
    "input": _all(W),
    "host": _all(W),
    "task": _all(W),
    "review_session": _all(W),
    "new_review_session": _all(W),
    "comment": _all(W),
    "repair": _all(W),  # what it repairs: tests/publish/test_studio_plugins.py
    "frames": _all(W),
    "fps": _all(W),
    "camera": {"files": R, "blender": W, "maya": W, "nuke": R},  # a comp publishes its Writes
    "thumbnail_frame": _all(W),
    "still": {"files": W, "blender": W, "maya": W, "nuke": R},  # Nuke: a one-frame Write
    "still_frame": {"files": R, "blender": W, "maya": W, "nuke": R},  # a scene's frame
    # a scene's review uses the scene's own colour management and sound
    "ocio_config": FILES_ONLY,
    "input_colorspace": FILES_ONLY,
    "display": FILES_ONLY,
    "view": FILES_ONLY,
    "look": FILES_ONLY,
    "burnin": _all(W),
    "burnin_template": _all(W),
    "audio": FILES_ONLY,
    "audio_offset": FILES_ONLY,  # and only with --audio (test_audio_offset_without_audio...)
    "invite": _all(W),
    "addresses": _all(W),  # host-independent: the request crosses to headless hosts whole
    "asset": _all(W),
    "include_source": _all(W),
    "report": _all(W),
    "json": _all(W),
    "settings": _all(W),  # --set KEY=VALUE
}

#: works cells proven by a publish in another test (OCIO and sound need their own media)
PROVEN_ELSEWHERE = {
    ("files", "ocio_config"): "tests/publish/test_publish_colour.py",
    ("files", "input_colorspace"): "tests/publish/test_publish_colour.py",
    ("files", "display"): "tests/publish/test_publish_colour.py",
    ("files", "view"): "tests/publish/test_publish_colour.py",
    ("files", "look"): "tests/publish/test_publish_colour.py",
    ("files", "audio"): "tests/publish/test_publish_audio.py",
    ("files", "audio_offset"): "tests/publish/test_publish_audio.py",
    # a still is one picture, published instead of a movie
    ("files", "still"): "tests/publish/test_publish_stills.py",
    ("blender", "still"): "tests/blender/test_blender_still.py",
    ("blender", "still_frame"): "tests/blender/test_blender_still.py",
    ("maya", "still"): "tests/maya/test_maya_still.py",
    ("maya", "still_frame"): "tests/maya/test_maya_still.py",
    **{(host, "addresses"): "tests/publish/test_publish_addresses.py" for host in HOSTS},
}

#: a refused option as given on the command line
REFUSED_ARGS = {
    "camera": ["--camera", "shotCam"],
    "ocio_config": ["--ocio-config", "ocio://studio-config-latest"],
    "input_colorspace": ["--input-colorspace", "ACEScg"],
    "display": ["--display", "sRGB - Display"],
    "view": ["--view", "Un-tone-mapped"],
    "look": ["--look", "none"],
    "audio": ["--audio", "shot.wav"],
    "audio_offset": ["--audio-offset", "3"],
    "still": ["--still"],
    "still_frame": ["--frame", "3"],
}


def publish_options() -> Dict[str, argparse.Action]:
    """``ft-dcc publish``'s options by dest, read from the real parser."""
    from ft_dcc.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    publish = commands.choices["publish"]
    return {a.dest: a for a in publish._actions if not isinstance(a, argparse._HelpAction)}


def test_every_publish_option_is_in_the_table():
    options = publish_options()
    assert set(options) == set(TABLE), (
        "classify each new ft-dcc publish option in TABLE (works, or refused with a clear "
        f"error, per host): {sorted(set(options) ^ set(TABLE))}"
    )
    for dest, row in TABLE.items():
        assert set(row) == set(HOSTS), dest
        for host, outcome in row.items():
            if outcome == R:
                assert dest in REFUSED_ARGS, f"{dest} is refused on {host}: give its args"
    for (_host, _dest), path in PROVEN_ELSEWHERE.items():
        assert (ROOT / path).is_file(), path


def run_cli(env: Dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc([*args], env=env, cwd=cwd, timeout=900, check=False)


def base_env(server: Any, tmp_path: Path) -> Dict[str, str]:
    env = clean_environ()
    env.update(server.env)
    env.update(
        FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schema-cache"),
        FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        PYBLISHPLUGINPATH="",
    )
    return env


REFUSED_CELLS = [(h, d) for d, row in TABLE.items() for h, outcome in row.items() if outcome == R]


@pytest.mark.parametrize(("host", "dest"), REFUSED_CELLS)
def test_a_refused_option_is_refused_naming_it(embedded_server, tmp_path, host, dest):
    scene = tmp_path / SCENES[host]
    scene.write_bytes(b"")  # refused before the scene is read
    mark = embedded_server.log_mark()
    done = run_cli(
        base_env(embedded_server, tmp_path), tmp_path,
        "publish", str(scene), "--host", host, "--task", "p/sq/sh/comp", *REFUSED_ARGS[dest],
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert REFUSED_ARGS[dest][0] in done.stderr, done.stderr
    assert writes_since(embedded_server, mark) == []


def test_audio_offset_without_audio_is_refused(embedded_server, tmp_path):
    movie = make_movie(tmp_path / "shot.mov", frames=6)
    mark = embedded_server.log_mark()
    done = run_cli(
        base_env(embedded_server, tmp_path), tmp_path,
        "publish", str(movie), "--task", "p/sq/sh/comp", "--audio-offset", "2",
    )  # fmt: skip
    assert done.returncode == 1 and "--audio-offset" in done.stderr, done.stderr
    assert writes_since(embedded_server, mark) == []


# -- the working options, one publish per host ------------------------------------------------


def maya_scene(tmp_path: Path) -> Tuple[Path, Dict[str, str]]:
    """A fake-Maya scene (shotCam, 1001-1012 at film, 320x240) and a stand-in mayapy."""
    scene = tmp_path / SCENES["maya"]
    build = (
        "import sys; from pathlib import Path; from maya import _fake\n"
        "s = _fake.state; s.reset(batch=True); s.add_camera('shotCam', renderable=True)\n"
        "s.attributes['perspShape.renderable'] = False\n"
        "s.playback.update(minTime=1001.0, maxTime=1012.0)\n"
        "s.attributes.update({'defaultResolution.width': 320, 'defaultResolution.height': 240})\n"
        "s.scene_name = sys.argv[1]; s.save_scene_file(Path(sys.argv[1]))\n"
    )
    python_path = os.pathsep.join([str(FAKES / "maya"), str(ROOT)])
    subprocess.run(
        [sys.executable, "-c", build, str(scene)],
        env=dict(os.environ, PYTHONPATH=python_path), check=True,
    )  # fmt: skip
    mayapy = executable(tmp_path / "bin" / "mayapy", f'PYTHONPATH="{python_path}" ', [])
    return scene, {"FT_DCC_MAYAPY": str(mayapy)}


def nuke_scene(tmp_path: Path) -> Tuple[Path, Dict[str, str]]:
    """A fake-Nuke comp (Constant -> Write, 1001-1012 at 24 fps, 320x180) and a ``nuke``."""
    scene = tmp_path / SCENES["nuke"]
    build = (
        "import sys; import nuke; nuke._fake.reset(gui=False); root = nuke.root()\n"
        "root['first_frame'].setValue(1001); root['last_frame'].setValue(1012)\n"
        "root['fps'].setValue(24); root['format'].setValue(nuke.addFormat('320 180 r320'))\n"
        "c = nuke.nodes.Constant(color=[0.8, 0.3, 0.1, 1.0])\n"
        "w = nuke.nodes.Write(file=sys.argv[2], create_directories=True); w.setInput(0, c)\n"
        "nuke.scriptSaveAs(sys.argv[1])\n"
    )
    render = (tmp_path / "render" / "shot.####.png").as_posix()
    subprocess.run(
        [sys.executable, "-c", build, scene.as_posix(), render],
        env=dict(os.environ, PYTHONPATH=str(FAKES / "nuke")), check=True,
    )  # fmt: skip
    nuke = executable(tmp_path / "bin" / "nuke", "", [str(FAKES / "nuke" / "nuke_terminal.py")])
    return scene, {"FT_DCC_NUKE": str(nuke)}


def blender_scene(tmp_path: Path) -> Tuple[Path, Dict[str, str]]:
    """The demo scene from the Blender 3.4 template (shotCam, 1001-1012 at 24 fps, 320x180),
    for the real Blender, with a home of its own."""
    from ft_dcc_hosts.blender import demo_template

    if not (demo_template.available() and shutil.which("blender") and shutil.which("Xvfb")):
        pytest.skip("Debian blender, Xvfb and blender-asset-tracer are needed (make test)")
    scene = tmp_path / SCENES["blender"]
    demo_template.write_demo_scene(
        scene, frame_start=1001, frame_end=1012, fps=24, width=320, height=180
    )
    home = tmp_path / "home"
    for sub in (".cache", ".config", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return scene, {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "TMPDIR": str(home / "tmp"),  # its PulseAudio folder, not in the machine's /tmp
    }


def files_input(tmp_path: Path) -> Tuple[Path, Dict[str, str]]:
    return make_movie(tmp_path / SCENES["files"], frames=12), {}


def executable(path: Path, prefix: str, args: List[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    quoted = " ".join(f'"{a}"' for a in [sys.executable, *args])
    path.write_text(f'#!/bin/sh\n{prefix}exec {quoted} "$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


INPUTS: Dict[str, Callable[[Path], Tuple[Path, Dict[str, str]]]] = {
    "files": files_input,
    "blender": blender_scene,
    "maya": maya_scene,
    "nuke": nuke_scene,
}
#: per host: the --frames asked (inside the input's range) and an --fps other than the input's
FRAMES = {"files": (3, 10), "blender": (1003, 1010), "maya": (1003, 1010), "nuke": (1003, 1010)}
FPS = {"files": "24", "blender": "25", "maya": "25", "nuke": "25"}
OPEN_SESSION, TYPO_SESSION = "Options dailies", "Options dailiez"
INVITEE = "options.reviewer@example.com"


def working_args(host: str, task: str) -> List[str]:
    """Every option that works on ``host`` (each checked in CHECKS)."""
    start, end = FRAMES[host]
    args = [
        "--host", host, "--task", task, "--review-session", TYPO_SESSION,
        "--new-review-session", "--comment", f"every option on {host}", "--repair",
        "--frames", f"{start}-{end}", "--fps", FPS[host], "--thumbnail-frame", str(start + 2),
        "--burnin", "slate", "--burnin-template", str(BURNIN_TEMPLATE),
        "--invite", INVITEE, "--asset", f"options_{host}", "--include-source",
        "--report", "report.json", "--json", "--set", "encode.max_size=160x90",
    ]  # fmt: skip
    return args + (["--camera", "shotCam"] if TABLE["camera"][host] == W else [])


@pytest.mark.slow
@pytest.mark.parametrize("host", HOSTS)
def test_every_working_option_does_what_it_says(embedded_server, tmp_path, host):
    if host == "blender":
        pytest.importorskip("ft_dcc_hosts.blender")
    scene, host_env = INPUTS[host](tmp_path)
    session = open_session(embedded_server, tmp_path / "s")
    task = make_task(session, fstart=None, fend=None, fps=None)  # no shot values to check
    env = dict(base_env(embedded_server, tmp_path), **host_env)
    project = task.split("/")[0]
    made = run_cli(env, tmp_path, "review", "create", OPEN_SESSION, "--project", project)
    assert made.returncode == 0, made.stdout + made.stderr
    run = tmp_path / "run"  # --report FILE relative to where ft-dcc runs
    run.mkdir()

    done = run_cli(env, run, "publish", str(scene), *working_args(host, task))

    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    published = Published(embedded_server, session, tmp_path, json.loads(done.stdout), run)
    worked = {dest for dest, row in TABLE.items() if row[host] == W}
    unchecked = worked - set(CHECKS) - {d for h, d in PROVEN_ELSEWHERE if h == host}
    assert not unchecked, f"no check for {sorted(unchecked)} on {host}"
    for dest in sorted(worked & set(CHECKS)):
        CHECKS[dest](published, host, task)
    assert_nothing_left_in_machine_tmp(tmp_path)


class Published:
    """What one publish left: its JSON report, the server's entities, the movie."""

    def __init__(
        self, server: Any, session: Any, tmp_path: Path, report: Dict[str, Any], run: Path
    ):
        self.server, self.session, self.tmp_path, self.report, self.run = (
            server, session, tmp_path, report, run,
        )  # fmt: skip
        assert report["ok"] and report["status"] == "published", report
        version = report["asset_version_id"]
        self.version = session.query(
            f'select comment, asset.name, task_id from AssetVersion where id is "{version}"'
        ).one()
        self._movie: Any = None

    def review_meta(self) -> Dict[str, Any]:
        component = self.report["component_ids"]["ftrackreview-mp4"]
        rows = self.session.query(
            f'select key, value from Metadata where parent_id is "{component}"'
        )
        merged: Dict[str, Any] = {}
        for row in rows.all():
            try:
                value = json.loads(row["value"])
            except ValueError:
                continue
            if isinstance(value, dict):
                merged.update(value)
        return merged

    def movie(self) -> Dict[str, Any]:
        if self._movie is None:
            path = download_component(
                self.server,
                self.report["component_ids"]["ftrackreview-mp4"],
                self.tmp_path / "m.mp4",
            )
            self._movie = ffprobe(path)
        return self._movie


def _task(p: Published, host: str, task: str) -> None:
    found = p.session.query(f'select id from Task where id is "{p.version["task_id"]}"').one()
    assert p.report["task_id"] == found["id"]


def _session(p: Published, host: str, task: str) -> None:
    assert p.report["review_session_name"] == TYPO_SESSION  # created, though close to an open one
    project = task.split("/")[0]  # the shared server holds the other hosts' projects
    rows = p.session.query(
        f'select id from ReviewSession where name is "{TYPO_SESSION}" '
        f'and project.name is "{project}"'
    ).all()
    assert [r["id"] for r in rows] == [p.report["review_session_id"]]


def _comment(p: Published, host: str, task: str) -> None:
    assert p.version["comment"] == f"every option on {host}"


def _frames(p: Published, host: str, task: str) -> None:
    start, end = FRAMES[host]
    assert (p.report["capture"]["frame_start"], p.report["capture"]["frame_end"]) == (start, end)
    assert int(p.movie()["nb_read_frames"]) == end - start + 1 + 1  # and the slate


def _fps(p: Published, host: str, task: str) -> None:
    assert p.movie()["r_frame_rate"] == f"{FPS[host]}/1"


def _camera(p: Published, host: str, task: str) -> None:
    assert p.report["capture"]["camera"] == "shotCam"


def _thumbnail(p: Published, host: str, task: str) -> None:
    assert p.review_meta()["thumbnail_frame"] == FRAMES[host][0] + 2


def _burnin(p: Published, host: str, task: str) -> None:
    burnin = p.review_meta()["burnin"]
    assert burnin["mode"] == "slate" and burnin["slate_frames"] == 1
    assert burnin["template"] == str(BURNIN_TEMPLATE)


def _invite(p: Published, host: str, task: str) -> None:
    rows = p.session.query(
        "select email from ReviewSessionInvitee "
        f'where review_session_id is "{p.report["review_session_id"]}"'
    ).all()
    assert [r["email"] for r in rows] == [INVITEE]


def _asset(p: Published, host: str, task: str) -> None:
    assert p.version["asset"]["name"] == f"options_{host}" == p.report["asset_name"]


def _source(p: Published, host: str, task: str) -> None:
    assert "source" in p.report["component_ids"], p.report["component_ids"]


def _report(p: Published, host: str, task: str) -> None:
    saved = json.loads((p.run / "report.json").read_text(encoding="utf-8"))
    assert saved["asset_version_id"] == p.report["asset_version_id"]
    assert saved["status"] == "published"


def _json(p: Published, host: str, task: str) -> None:
    assert p.report["asset_version_id"]  # stdout was the report as JSON


def _settings(p: Published, host: str, task: str) -> None:
    movie = p.movie()  # encode.max_size=160x90
    assert int(movie["width"]) <= 160 and int(movie["height"]) <= 90, movie


def _nothing_to_repair(p: Published, host: str, task: str) -> None:
    """``--repair`` with every check passing: no repair ran, the publish is as without it."""
    assert p.report["ok"] and not [s for s in p.report["steps"] if s["repairs"]]


def _given(p: Published, host: str, task: str) -> None:
    """``INPUT`` and ``--host``: the publish ran on that host (its report says so)."""
    assert p.report["ok"]


CHECKS: Dict[str, Callable[[Published, str, str], None]] = {
    "input": _given,
    "host": _given,
    "task": _task,
    "review_session": _session,
    "new_review_session": _session,
    "comment": _comment,
    "repair": _nothing_to_repair,
    "frames": _frames,
    "fps": _fps,
    "camera": _camera,
    "thumbnail_frame": _thumbnail,
    "burnin": _burnin,
    "burnin_template": _burnin,
    "invite": _invite,
    "asset": _asset,
    "include_source": _source,
    "report": _report,
    "json": _json,
    "settings": _settings,
}


def test_include_source_of_an_image_sequence_is_refused(embedded_server, tmp_path):
    """``--include-source`` uploads the input file: a sequence pattern names many (it was left
    out quietly)."""
    from support import make_sequence

    make_sequence(tmp_path / "frames", frames=3, start=1001, name="plate")
    mark = embedded_server.log_mark()
    done = run_cli(
        base_env(embedded_server, tmp_path), tmp_path,
        "publish", str(tmp_path / "frames" / "plate.####.png"), "--task", "p/sq/sh/comp",
        "--include-source",
    )  # fmt: skip
    assert done.returncode == 1 and "--include-source" in done.stderr, done.stderr
    assert writes_since(embedded_server, mark) == []
