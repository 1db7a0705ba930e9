"""The request/result protocol of a headless publish (``ft_dcc.host.headless``), with real
subprocesses standing in for a host: this Python started with ``-S -I`` (no site-packages, so
ft_dcc imports only through the request's ``python_path``, as in Blender, mayapy or Nuke)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ft_dcc.exceptions import HostError
from ft_dcc.host import headless
from ft_dcc.host.headless import HeadlessPublish
from ft_dcc.host.pythonpath import python_paths
from ft_dcc.publish.request.request import PublishRequest

#: a host's headless script: the tiny local bootstrap, then the shared ``main``
STAND_IN_HOST = """
import json, sys
from pathlib import Path

request = json.loads(Path(sys.argv[-1]).read_text(encoding="utf-8"))
for folder in request.get("python_path", []):
    if folder not in sys.path:
        sys.path.append(folder)


def publish_request(request):
    mode = request.get("mode")
    if mode == "raise":
        from ft_dcc.exceptions import CaptureError

        raise CaptureError("the camera is gone", hint="add a camera and publish again")
    if mode == "crash":
        print("segmentation fault in the renderer")
        sys.stdout.flush()
        import os

        os._exit(int(request.get("status", 3)))
    if mode == "hang":
        print("rendering frame 1001", flush=True)
        import time

        time.sleep(600)  # stopped by the caller's timeout
    if mode == "progress":
        from ft_dcc.host.headless import progress_to_caller

        for frame in range(1, 4):
            progress_to_caller("encode", frame / 3, f"frame {frame}/3")
        print("encoded")
    import pyblish  # a dependency python_path made importable

    from ft_dcc.host.headless import publish_request_of

    typed = publish_request_of(request)  # the typed request, read where it enters
    return {
        "exit_code": 0,
        "report": {"ok": True, "input": request["input"], "pyblish": pyblish.__name__,
                   "task": typed.task, "frames": list(typed.frames or ()),
                   "request_file": sorted(request)},
        "text": "Published " + Path(request["input"]).name,
    }


if __name__ == "__main__":
    from ft_dcc.host.headless import run

    print("host started")
    run(sys.argv, publish_request)
"""


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    path = tmp_path / "shot.ma"
    path.write_text("// a scene\n", encoding="utf-8")
    return path


@pytest.fixture
def run_stand_in(tmp_path: Path):
    script = tmp_path / "stand_in_host.py"
    script.write_text(STAND_IN_HOST, encoding="utf-8")

    def run(payload, timeout=None, progress=None):
        return headless.run_with_request(
            payload,
            lambda request_file: [sys.executable, "-S", "-I", script, "--", request_file],
            "Stand-in",
            timeout=timeout,
            **({"progress": progress} if progress else {}),
        )

    return run


def test_python_paths_make_ft_dcc_and_its_dependencies_importable_without_site_packages():
    paths = python_paths()
    assert len(paths) == len(set(paths))
    probe = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "from ft_dcc.host.pythonpath import ensure_hosts_package\n"
        "ensure_hosts_package()\n"
        "import ft_dcc.host.headless, attr, pyblish, requests, imageio_ffmpeg\n"
        "import ft_dcc_hosts.nuke.integration\n"
        "print(ft_dcc.host.headless.__file__)"
    )
    bare = subprocess.run(
        [sys.executable, "-S", "-I", "-c", "import requests"], capture_output=True, text=True
    )
    assert bare.returncode != 0, "the probe needs a Python that cannot import requests by itself"
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", probe, *paths], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == Path(headless.__file__)


def _published(scene, run, mode=None, **extra):
    """``publish_in_host`` of a plain request, the stand-in told ``mode`` (and ``extra``)."""
    return headless.publish_in_host(
        HeadlessPublish(scene, PublishRequest()), run, "Stand-in", dict(extra, mode=mode)
    )


def test_a_host_that_publishes_returns_its_outcome_and_output(scene, run_stand_in, tmp_path):
    request = PublishRequest(task="a/b", frames=(1001, 1010), comment="pass 2")
    saved = tmp_path / "report.json"
    outcome = headless.publish_in_host(
        HeadlessPublish(scene, request, report=saved), run_stand_in, "Stand-in"
    )
    assert outcome["exit_code"] == 0, outcome
    # the request file holds the typed request (``publish``) and the protocol's own keys: no
    # options dict beside it
    assert outcome["report"] == {
        "ok": True, "input": str(scene.resolve()), "pyblish": "pyblish", "task": "a/b",
        "frames": [1001, 1010], "request_file": ["input", "publish", "python_path", "result"],
    }  # fmt: skip
    assert json.loads(saved.read_text(encoding="utf-8")) == outcome["report"]  # --report FILE
    assert outcome["text"] == "Published shot.ma"
    assert "host started" in outcome["log"]


def test_a_publish_that_raises_still_writes_the_result(scene, run_stand_in):
    outcome = _published(scene, run_stand_in, "raise")
    assert outcome["exit_code"] == 1
    assert outcome["report"] is None
    assert outcome["text"] == (
        "Publish failed: the camera is gone (add a camera and publish again)"
    )
    assert outcome["hint"] == "add a camera and publish again"
    assert "Traceback" in outcome["log"] and "CaptureError" in outcome["log"]
    assert headless.print_outcome(outcome, as_json=False) == 1


def test_the_host_exits_with_the_outcome_status_after_writing_the_result(
    tmp_path, scene, run_stand_in
):
    result = tmp_path / "result.json"
    request = {"input": str(scene), "result": str(result), "mode": "raise"}
    request["python_path"] = python_paths()
    process = run_stand_in(request)
    assert process.returncode == 1, process.stdout
    assert json.loads(result.read_text(encoding="utf-8"))["exit_code"] == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        ("1001-1024", (1001, 1024)),
        ("1005", (1005, 1005)),
        ("-5", (-5, -5)),
        ([1, 12], (1, 12)),
        (("7", "9"), (7, 9)),
    ],
)
def test_parse_frames_reads_a_request_frame_range(value, expected):
    assert headless.parse_frames(value) == expected


@pytest.mark.parametrize("status, expected", [(3, 3), (0, 1)])
def test_a_host_that_dies_before_publishing_is_reported_with_its_last_output(
    scene, run_stand_in, status, expected
):
    outcome = _published(scene, run_stand_in, "crash", status=status)
    assert outcome["exit_code"] == expected
    assert outcome["report"] is None
    assert outcome["text"].startswith(
        f"Stand-in stopped before publishing (exit status {status}). Its last output:\n"
    )
    assert outcome["text"].endswith("segmentation fault in the renderer")
    assert "host started" in outcome["log"]


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_a_host_that_hangs_past_the_timeout_is_stopped_with_a_clear_error(scene, run_stand_in):
    # 15 s: time enough on a loaded machine for the stand-in to start and print before it hangs
    with pytest.raises(HostError, match="Stand-in did not finish within 15 seconds") as caught:
        _published(scene, lambda payload: run_stand_in(payload, timeout=15), "hang")
    assert "rendering frame 1001" in caught.value.message
    assert "ft-dcc -v" in caught.value.hint


def test_a_command_that_cannot_start_raises_os_error(tmp_path):
    with pytest.raises(OSError):
        headless.run_with_request({}, lambda f: [tmp_path / "no-such-host", f], "Nothing")


def test_a_missing_scene_is_a_host_error_naming_its_kind(tmp_path, scene):
    assert headless.existing_scene(scene, "Maya scene") == scene
    with pytest.raises(HostError, match=r"The Nuke script .*nope\.nk does not exist\."):
        headless.existing_scene(tmp_path / "nope.nk", "Nuke script")


def test_the_request_file_is_after_the_double_dash_or_last(tmp_path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"input": "x"}), encoding="utf-8")
    assert headless.read_request(["blender", "-b", "--", str(request), "extra"]) == {"input": "x"}
    assert headless.request_path(["headless.py", str(request)]) == request


def test_print_outcome_prints_the_report_or_its_text(capsys):
    failed = {"exit_code": 2, "report": None, "text": "Nope", "hint": "try again"}
    assert headless.print_outcome(failed, as_json=True) == 2
    assert json.loads(capsys.readouterr().out) == {"ok": False, "errors": ["Nope"]}
    assert headless.print_outcome(failed, as_json=False) == 2
    assert capsys.readouterr().out == "Nope\ntry again\n"
    published = {"exit_code": 0, "report": {"ok": True}, "text": "Done"}
    assert headless.print_outcome(published, as_json=True) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True}


def test_tail_keeps_the_last_lines():
    assert headless.tail("a\nb\nc\n", 2) == "b\nc\n"
    assert headless.tail("", 5) == ""


def test_a_library_callers_options_make_the_typed_request_that_crosses_whole():
    from fractions import Fraction

    from ft_dcc.publish.request.request import Reviewable, request_from_options
    from ft_dcc.publish.request.wire import request_to_json

    options = {
        "task": "p/sq/sh/comp",
        "comment": None,
        "frames": "1001-1010",
        "fps": "24000/1001",
        "cameras": ["shotCam", "witnessCam"],
        "invitees": [],
        "include_source": 0,
        "thumbnail_frame": 1005,
        "settings": {"asset_name_template": "{shot}_{camera}", "resolution": [640, 360]},
    }
    typed = request_from_options(options)
    assert typed.reviewables == [Reviewable(source="shotCam"), Reviewable(source="witnessCam")]
    assert (typed.task, typed.comment, typed.frames) == ("p/sq/sh/comp", "", (1001, 1010))
    assert (typed.fps, typed.thumbnail_frame) == (Fraction(24000, 1001), 1005)
    settings = typed.settings  # the studio settings travel apart from the artist's choices
    assert settings.owned("naming.asset") == "{shot}_{camera}"  # an older client's fields
    assert settings.resolution == (640, 360)
    payload = json.loads(json.dumps({"publish": request_to_json(typed)}))  # the request file
    assert headless.publish_request_of(payload) == typed
    one = request_from_options({"camera": "shotCam", "asset_name": "hero"})
    assert one.reviewables == [Reviewable(source="shotCam", asset_name="hero")]
    assert PublishRequest().reviewables == [Reviewable()]  # the host's own choice


def test_the_hosts_progress_reaches_the_caller_as_it_comes(scene, run_stand_in):
    """``ft-dcc publish --host X`` and ``ft-dcc demo`` show the host's progress, not silence."""
    seen = []
    outcome = _published(
        scene, lambda payload: run_stand_in(payload, progress=lambda *update: seen.append(update)),
        "progress",
    )  # fmt: skip
    assert outcome["exit_code"] == 0, outcome
    assert seen == [("encode", 1 / 3, "frame 1/3"), ("encode", 2 / 3, "frame 2/3"),
                    ("encode", 1.0, "frame 3/3")]  # fmt: skip
    assert "encoded" in outcome["log"] and headless.PROGRESS_MARK not in outcome["log"]


def test_settling_keeps_every_choice_the_artist_made_and_fills_only_the_empty_ones():
    """A host's UI hands its typed request to the studio settings' seam (``settled``) as it
    is, with no options dict between: every choice the artist made stays (a field added to the
    request is kept without naming it there), the settings fill only what was left empty and
    give the plugins their settings and the request the task's names."""
    from fractions import Fraction

    import attr

    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.publish.request.settings_options import TaskContext, settled
    from ft_dcc.settings.resolve import resolve

    chosen = PublishRequest(
        task="p/sq/sh/comp",
        review_session_name="Dailies",
        new_review_session=True,
        repair=True,
        comment="pass 2",
        frames=(1001, 1010),
        fps=Fraction(24000, 1001),
        invitees=["ann@studio.example"],
        addresses=["9ac7d3f6-f4be-4d54-a6c2-a89e4778e5a0"],
        include_source=True,
        thumbnail_frame=1005,
        still=True,
        still_frame=1003,
        burnin="slate",
        burnin_template="/t/burnin.json",
        queue_dir="/q",
        work_dir="/w",
    )
    artist = {"burnin.mode": "on", "burnin.template": "/s/burnin.json",
              "naming.review_session": "Studio {date}", "capture.scale": 0.5}  # fmt: skip
    resolved = resolve([], artist=artist)
    names = {"project": "p", "sequence": "sq", "shot": "sh", "task": "comp"}
    context = TaskContext(project="p", task_type="Compositing", fields=names)
    kept = settled(chosen, resolved, context, found_task="p/other/task")
    default = PublishRequest()
    for field in attr.fields(PublishRequest):
        if field.name in ("settings", "task_names", "reviewables"):
            continue
        assert getattr(chosen, field.name) != getattr(default, field.name), field.name
        assert getattr(kept, field.name) == getattr(chosen, field.name), field.name
    assert kept.settings.plugins == {
        "CollectCaptureSpec": {"scale": 0.5},
        "ValidateReviewSessionOpen": {"template": "Studio {date}"},
    }
    assert kept.task_names == names
    empty = settled(PublishRequest(), resolved, context, found_task="p/sq/sh/comp")
    assert (empty.task, empty.burnin, empty.burnin_template) == (
        "p/sq/sh/comp", "on", "/s/burnin.json",
    )  # fmt: skip
    assert (empty.review_session_name or "").startswith("Studio ")


def test_a_headless_publishs_text_says_how_to_ask_for_the_repairs_offered(capsys):
    """``ft-dcc publish --host blender|maya|nuke`` prints the host's report text; when a failed
    check offers a repair, the caller adds how to ask for it (not after ``--repair`` ran it)."""
    steps = [{"ok": True, "repairs": []}, {"ok": False, "repairs": ["Save scene"]}]
    outcome = {"exit_code": 1, "text": "Not published: Scene saved: ...",
               "report": {"ok": False, "steps": steps}}  # fmt: skip
    assert headless.print_outcome(outcome, False, repaired=False) == 1
    printed = capsys.readouterr().out
    assert "To run 'Save scene' and check again: the same ft-dcc publish with --repair" in printed
    headless.print_outcome(outcome, False, repaired=True)
    assert "--repair" not in capsys.readouterr().out


def test_the_artists_own_request_travels_beside_the_settled_one(scene, run_stand_in):
    """A caller that settles the request before the host (``ft-dcc publish --host X``, a farm
    node) writes the artist's own beside it (``asked``, in the same form), which the host's
    pipeline journals when the publish is queued; a request file without it (a previous
    release's) reads as before, with none."""
    from ft_dcc.publish.request.wire import request_to_json

    asked = PublishRequest(task="a/b", review_session_name="Mine", comment="pass 2")
    settled = PublishRequest(task="a/b", review_session_name="Mine", burnin="on")
    outcome = headless.publish_in_host(
        HeadlessPublish(scene, settled, asked=asked), run_stand_in, "Stand-in"
    )
    assert outcome["exit_code"] == 0, outcome
    keys = ["asked", "input", "publish", "python_path", "result"]
    assert outcome["report"]["request_file"] == keys
    written = json.loads(json.dumps({"publish": request_to_json(settled),
                                     "asked": request_to_json(asked)}))  # fmt: skip
    assert headless.publish_request_of(written) == settled
    assert headless.runtime_of(written).asked == asked
    previous = {"publish": written["publish"]}
    assert headless.runtime_of(previous).asked is None
    assert headless.runtime_of(previous).progress is headless.progress_to_caller
