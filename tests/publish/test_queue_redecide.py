"""A queued publish is re-decided at flush with the server's truth, against the real embedded
server stopped and started: what the offline publish guessed (the review session's name, the
capture size, the frame rate of frames that carry none) is decided again as a live publish
would; what the encoded work can no longer match is refused with the reason and kept in the
queue (never published wrong, never lost); a name is fixed without the DCC. And the flush's
order warning compares when each version's work was made, like with like."""

from __future__ import annotations

import datetime as _dt
import json
import os
import string
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
from support import make_movie, make_sequence, make_task, metadata_of, open_session
from support.cli import run_ft_dcc

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish
from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.publish.pipeline.stages import PLUGIN_DIR
from ft_dcc.session import RetryPolicy
from ft_dcc.settings.templates import current_date

TEMPLATE = "{project} dailies wk{week}"


def _week_name(project: str) -> str:
    return f"{project} dailies wk{current_date().isocalendar()[1]:02d}"


def ft_dcc(server: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, **server.env, FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        FT_DCC_SETTINGS="", PYBLISHPLUGINPATH="", FTRACK_CONTEXTID="",
    )  # fmt: skip
    return run_ft_dcc([*args], env=env, timeout=300)


def push(server: Any, tmp_path: Path, settings: Dict[str, Any], *where: str) -> None:
    path = tmp_path / f"settings-{len(list(tmp_path.glob('settings-*')))}.json"
    path.write_text(json.dumps({"settings": settings}), encoding="utf-8")
    pushed = ft_dcc(server, tmp_path, "settings", "push", *where, str(path))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr


def queued(server: Any, tmp_path: Path, name: str, task: str, *flags: str) -> str:
    """``ft-dcc publish`` of a 4-frame PNG sequence (320x240) with the server down: exit 75;
    returns what it printed."""
    frames = make_sequence(tmp_path / name, frames=4, start=1001, name=name)
    done = ft_dcc(server, tmp_path, "publish", str(frames), "--task", task, *flags)
    assert done.returncode == EXIT_QUEUED, done.stdout + done.stderr
    return done.stdout + done.stderr


def versions_of(server: Any, tmp_path: Path, task: str) -> List[Dict[str, Any]]:
    """The versions in the task's project with their review sessions (fresh queries)."""
    with open_session(server, tmp_path / "check") as check:
        rows = check.query(
            "select id, version, asset.name from AssetVersion where task.project.name is "
            f'"{task.split("/")[0]}"'
        ).all()
        found = []
        for row in rows:
            objects = check.query(
                "select review_session.name from ReviewSessionObject where version_id is "
                f'"{row["id"]}"'
            ).all()
            found.append({
                "asset": row["asset"]["name"], "version": row["version"],
                "sessions": [o["review_session"]["name"] for o in objects],
            })  # fmt: skip
        return found


def _tasks(server: Any, tmp_path: Path, count: int) -> List[str]:
    with open_session(server, tmp_path) as session:
        return [make_task(session, fstart=1001, fend=1004, fps=25) for _ in range(count)]


def test_frames_queued_at_a_guessed_rate_are_refused_at_flush_and_kept(
    fresh_server: Any, tmp_path: Path
) -> None:
    """The sequence has no rate and the shot's could not be read: encoded at the configured
    24 fps. The shot plays at 25: a live publish would have encoded it at 25."""
    (task,) = _tasks(fresh_server, tmp_path, 1)
    fresh_server.stop()
    said = queued(fresh_server, tmp_path, "sh020_comp", task)
    assert "published at 24 fps" in said and "the queue flush checks it" in said, said
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    assert flushed.returncode == 1, flushed.stdout + flushed.stderr
    text = flushed.stdout
    (entry,) = OfflineQueue(tmp_path / "queue").entries()  # kept, not lost
    assert "24 fps" in text and "25 fps" in text, text
    assert f"ft-dcc queue drop {entry.id[:8]}" in text and "--fps 25" in text, text
    assert versions_of(fresh_server, tmp_path, task) == []  # not published wrong
    listing = ft_dcc(fresh_server, tmp_path, "queue", "list", "--json")
    (summary,) = json.loads(listing.stdout)["entries"]
    assert "25 fps" in summary["last_error"], summary
    again = ft_dcc(fresh_server, tmp_path, "queue", "flush")  # refused again, still kept
    assert again.returncode == 1 and len(OfflineQueue(tmp_path / "queue").entries()) == 1


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_the_session_name_is_fixed_a_size_rule_refuses_and_the_artists_name_stays(
    fresh_server: Any, tmp_path: Path
) -> None:
    named, sized, own = _tasks(fresh_server, tmp_path, 3)
    studio = {"naming.review_session": TEMPLATE, "naming.asset": "{shot}_{task}"}
    push(fresh_server, tmp_path, studio, "--studio")
    project = sized.split("/")[0]
    push(fresh_server, tmp_path, {"capture.resolution": "640x480"}, "--project", project)
    fresh_server.stop()
    queued(fresh_server, tmp_path, "named", named, "--fps", "25")
    queued(fresh_server, tmp_path, "sized", sized, "--fps", "25")
    queued(fresh_server, tmp_path, "own", own, "--fps", "25", "--review-session", "Mine",
           "--asset", "own")  # fmt: skip
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    text = flushed.stdout
    assert flushed.returncode == 1, text + flushed.stderr  # one refused
    assert versions_of(fresh_server, tmp_path, named) == [
        {"asset": "sh010_comp", "version": 1, "sessions": [_week_name(named.split("/")[0])]}
    ]  # the studio's names, not the offline defaults "Dailies <date>" and the file's name
    assert versions_of(fresh_server, tmp_path, own) == [
        {"asset": "own", "version": 1, "sessions": ["Mine"]}
    ]  # the artist's own names win, as in a live publish
    assert versions_of(fresh_server, tmp_path, sized) == []
    (entry,) = OfflineQueue(tmp_path / "queue").entries()
    assert entry.manifest.asset_name == "sized"
    assert "320x240" in text and "640x480" in text and "capture.resolution" in text, text


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_a_queue_flushed_in_its_order_gives_no_order_warning(
    fresh_server: Any, tmp_path: Path
) -> None:
    """Two publishes of one asset made an hour ago, queued: v001 then v002, no warning (the
    old check compared v002's making with v001's arrival at the flush)."""
    (task,) = _tasks(fresh_server, tmp_path, 1)
    fresh_server.stop()
    for name in ("first", "second"):
        queued(fresh_server, tmp_path, name, task, "--fps", "25", "--asset", "plate")
    queue = OfflineQueue(tmp_path / "queue")
    hour_ago = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(hours=1)
    for index, entry in enumerate(queue.entries()):  # made an hour ago, a second apart
        manifest = json.loads((entry.path / "manifest.json").read_text())
        made = hour_ago + _dt.timedelta(seconds=index)
        manifest["created_at"] = made.isoformat(timespec="seconds")
        (entry.path / "manifest.json").write_text(json.dumps(manifest))
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert "plate v001" in flushed.stdout and "plate v002" in flushed.stdout, flushed.stdout
    assert "made after it" not in flushed.stdout, flushed.stdout


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_the_servers_frame_check_severity_decides_and_a_movie_takes_the_shots_numbers(
    fresh_server: Any, tmp_path: Path
) -> None:
    """A 25 fps movie of the shot's length queued for a 24 fps shot: as at a live publish,
    numbered from the shot's start, and its rate refused (block), a warning (the project's
    checks.frame_range: warn) or not checked (off)."""
    with open_session(fresh_server, tmp_path) as session:
        tasks = [make_task(session, fstart=1001, fend=1004, fps=24) for _ in range(3)]
    blocked, warned, unchecked = tasks
    for task, severity in ((warned, "warn"), (unchecked, "off")):
        push(fresh_server, tmp_path, {"checks.frame_range": severity}, "--project", task[:12])
    fresh_server.stop()
    for task in tasks:
        movie = make_movie(tmp_path / f"{task.split('/')[0]}.mov", frames=4)  # 25 fps, 1-4
        done = ft_dcc(fresh_server, tmp_path, "publish", str(movie), "--task", task)
        assert done.returncode == EXIT_QUEUED, done.stdout + done.stderr
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush", "--json")
    assert flushed.returncode == 1, flushed.stdout + flushed.stderr
    outcomes = {o["entry"]["task"]: o for o in json.loads(flushed.stdout)["outcomes"]}
    refused = outcomes[blocked]
    assert not refused["ok"] and "25.000 differs from shot sh010's 24.000 fps" in refused["message"]
    assert "ft-dcc queue drop" in refused["message"], refused["message"]
    (entry,) = OfflineQueue(tmp_path / "queue").entries()
    assert entry.manifest.task_label == blocked
    warnings = outcomes[warned]["result"]["warnings"]
    assert any("24.000 fps" in w and "warn" in w for w in warnings), warnings
    assert not any("fps" in w for w in outcomes[unchecked]["result"]["warnings"])
    with open_session(fresh_server, tmp_path / "check") as check:
        for task, first in ((warned, 1001), (unchecked, 1)):  # off: not read, as when live
            movie_id = outcomes[task]["result"]["component_ids"]["ftrackreview-mp4"]
            capture = json.loads(metadata_of(check, movie_id)["ft_dcc_capture"])
            assert (capture["frame_start"], capture["source_first_frame"]) == (first, first)


class RangeHost(FilesHost):
    """Frames that stand for a scene: a host that renders whatever range it is asked for, so
    the settings' ``capture.handles`` widen its range (as for Blender, Maya, Nuke)."""

    renders_range = True


def test_handles_the_server_adds_refuse_frames_captured_without_them(
    fresh_server: Any, tmp_path: Path
) -> None:
    (task,) = _tasks(fresh_server, tmp_path, 1)  # shot 1001-1004
    push(fresh_server, tmp_path, {"capture.handles": 1}, "--project", task.split("/")[0])
    fresh_server.stop()
    frames = make_sequence(tmp_path / "scene", frames=4, start=1001)
    report = publish(
        RangeHost(frames, fps=25), task=task, queue_dir=tmp_path / "queue",
        session_factory=lambda: open_session(
            fresh_server, tmp_path / "down", retry=RetryPolicy(retries=0)
        ),
    )  # fmt: skip
    assert report.queued and report.capture["frame_start"] == 1001, str(report)
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    assert flushed.returncode == 1, flushed.stdout + flushed.stderr
    assert "holds frames 1001-1004, but a publish now takes 1000-1005" in flushed.stdout
    assert len(OfflineQueue(tmp_path / "queue").entries()) == 1
    assert versions_of(fresh_server, tmp_path, task) == []


@pytest.fixture
def processed() -> Any:
    """The pyblish plugin classes that run, in order, while the test runs."""
    import pyblish.api

    seen: List[type] = []

    def record(result: Dict[str, Any]) -> None:
        seen.append(result["plugin"])

    pyblish.api.register_callback("pluginProcessed", record)
    yield seen
    pyblish.api.deregister_callback("pluginProcessed", record)


def _publish_frames(server: Any, tmp_path: Path, name: str, task: str) -> Any:
    frames = make_sequence(tmp_path / name, frames=4, start=1001, name=name)
    return publish(
        FilesHost(frames), task=task, queue_dir=tmp_path / "queue",
        session_factory=lambda: open_session(
            server, tmp_path / f"s-{name}", retry=RetryPolicy(retries=0)
        ),
    )  # fmt: skip


def test_a_queued_publish_is_decided_again_by_the_plugins_of_a_live_one(
    fresh_server: Any, tmp_path: Path, processed: List[type]
) -> None:
    """The frames carry no rate: queued at the configured 24 fps; at flush the pipeline's own
    collectors and validators run again on the recorded request and host, and the shot's 25 fps
    refuses the work, as a live publish of it would have encoded it at 25."""
    live_task, queued_task = _tasks(fresh_server, tmp_path, 2)
    assert _publish_frames(fresh_server, tmp_path, "live", live_task).ok
    live = list(processed)
    fresh_server.stop()
    report = _publish_frames(fresh_server, tmp_path, "queued", queued_task)
    assert report.queued and report.capture["fps"] in ("24", "24/1", 24), str(report)
    fresh_server.start()
    processed.clear()
    with open_session(fresh_server, tmp_path / "flush") as session:
        flushed = OfflineQueue(tmp_path / "queue").flush(session)
    (outcome,) = flushed.outcomes
    assert not outcome.ok and "25 fps" in outcome.message, outcome.message
    deciding = {"CollectReviewables", "CollectCaptureSpec", "CollectReviewTarget",
                "CollectServerView", "CollectShotFrames", "ValidateFrameRange"}  # fmt: skip
    ran = [_named(plugin) for plugin in processed]
    assert deciding <= {name for name, _ in ran}, ran
    assert all(name[1].startswith(str(PLUGIN_DIR)) for name in ran), ran  # ft_dcc's own files
    assert [name for name in map(_named, live) if name in ran] == ran  # as the live one ran them


def _named(plugin: type) -> Any:
    """A plugin class as pyblish loaded it: its name and the file it was loaded from (every
    publish discovers the classes again)."""
    return plugin.__name__, plugin.__module__


#: the queued decision of one version as the previous release wrote it in its journal (a dict of
#: decided values: the request's, what the settings alone gave, the host's facts); the release
#: before it wrote no ``asset`` nor ``still``
PREVIOUS_DECISION = string.Template("""{
  "request": {"review_session": "$session", "resolution": null, "scale": null,
              "max_size": null, "frame_rule": "scene", "handles": 0, "frame_check": "block",
              "asset_name_template": null, "fps": "25/1", "frames": null,
              "name_fields": {"project": "$project", "sequence": "sq010", "shot": "sh010",
                              "task": "comp"}},
  "settings": {"review_session": "$session", "resolution": null, "scale": null,
               "max_size": null, "frame_rule": "scene", "handles": 0, "frame_check": "block",
               "asset_name_template": null, "fps": null, "frames": null,
               "name_fields": {"project": "$project", "sequence": "sq010", "shot": "sh010",
                               "task": "comp"}},
  "host": {"name": "files", "rate_source": "--fps", "renders_range": false,
           "resolution": [320, 240], "frame_range": [1001, 1004], "fps": "25/1",
           "renumbers": false},
  "input": "$input",
  "burnin": false,
  "asset": {"artist": false, "default": "$asset",
            "fields": {"project": "$project", "task": "comp", "sequence": "sq010",
                       "shot": "sh010", "scene": "$asset", "camera": null, "host": "files"}},
  "still": false
}""")


def _write_previous_decision(entry: Any, *, with_asset: bool) -> None:
    """Put the previous release's literal decision in ``entry``'s journal (the release before
    it: without ``asset`` and ``still``)."""
    path = entry.path / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    literal = PREVIOUS_DECISION.substitute(
        session=document["review_session_name"], project=document["task_path"].split("/")[0],
        asset=document["asset_name"], input=f"/shots/{document['asset_name']}.%04d.png",
    )  # fmt: skip
    decision = json.loads(literal)
    if not with_asset:
        del decision["asset"], decision["still"]
    document["queued_decision"] = decision
    path.write_text(json.dumps(document), encoding="utf-8")


def test_entries_queued_by_the_previous_releases_are_decided_again_and_published(
    fresh_server: Any, tmp_path: Path
) -> None:
    """Journal entries as the previous release wrote them (a dict of decided values): the
    review session takes the studio's name at flush; the asset the offline publish named by
    its input takes the studio's template, and one of the release before (which did not say
    whether the artist named it) keeps its queued name."""
    previous, older = _tasks(fresh_server, tmp_path, 2)
    studio = {"naming.review_session": TEMPLATE, "naming.asset": "{shot}_{task}"}
    push(fresh_server, tmp_path, studio, "--studio")
    fresh_server.stop()
    queued(fresh_server, tmp_path, "plate", previous, "--fps", "25")
    queued(fresh_server, tmp_path, "older", older, "--fps", "25")
    for entry, with_asset in zip(OfflineQueue(tmp_path / "queue").entries(), (True, False)):
        _write_previous_decision(entry, with_asset=with_asset)
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert versions_of(fresh_server, tmp_path, previous) == [
        {"asset": "sh010_comp", "version": 1, "sessions": [_week_name(previous.split("/")[0])]}
    ]
    assert versions_of(fresh_server, tmp_path, older) == [
        {"asset": "older", "version": 1, "sessions": [_week_name(older.split("/")[0])]}
    ]
    assert OfflineQueue(tmp_path / "queue").entries() == []


#: one version's queued decision as format 2 wrote it: the request as the offline publish
#: received it (settled: the settings' review session name beside the artist's --fps) and what
#: the settings alone gave
SETTLED_DECISION = string.Template("""{
  "ft_dcc_queued": 2,
  "request": {"ft_dcc_request": 1, "reviewables": [{"source": null, "asset_name": null}],
              "task": "$task", "review_session_name": "$session", "comment": "",
              "frames": null, "fps": "25/1", "invitees": [], "addresses": [],
              "include_source": false, "queue_dir": null, "work_dir": null,
              "thumbnail_frame": null, "still": false, "still_frame": null, "burnin": null,
              "burnin_template": null, "new_review_session": false, "repair": false,
              "settings": {"plugins": {}}, "task_names": {"project": "$project"}},
  "alone": {"ft_dcc_request": 1, "reviewables": [{"source": null, "asset_name": null}],
            "task": "$task", "review_session_name": "$session", "comment": "",
            "frames": null, "fps": null, "invitees": [], "addresses": [],
            "include_source": false, "queue_dir": null, "work_dir": null,
            "thumbnail_frame": null, "still": false, "still_frame": null, "burnin": null,
            "burnin_template": null, "new_review_session": false, "repair": false,
            "settings": {"plugins": {}}, "task_names": {"project": "$project"}},
  "host": {"name": "files", "rate_source": "--fps", "renders_range": false,
           "resolution": [320, 240], "frame_range": [1001, 1004], "fps": "25/1",
           "renumbers": false},
  "input": "$input", "burnin": false, "default_asset": "$asset", "camera": null
}""")


def test_an_entry_queued_in_the_settled_format_is_decided_again_and_published(
    fresh_server: Any, tmp_path: Path
) -> None:
    """A journal entry as format 2 wrote it (the settled request beside what the settings
    alone gave): the review session the settings alone named takes the studio's name at
    flush, the asset the offline publish named by its input takes the studio's template."""
    (task,) = _tasks(fresh_server, tmp_path, 1)
    studio = {"naming.review_session": TEMPLATE, "naming.asset": "{shot}_{task}"}
    push(fresh_server, tmp_path, studio, "--studio")
    fresh_server.stop()
    queued(fresh_server, tmp_path, "plate", task, "--fps", "25")
    (entry,) = OfflineQueue(tmp_path / "queue").entries()
    path = entry.path / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    literal = SETTLED_DECISION.substitute(
        task=task, session=document["review_session_name"], project=task.split("/")[0],
        asset=document["asset_name"], input="/shots/plate.%04d.png",
    )  # fmt: skip
    document["queued_decision"] = json.loads(literal)
    path.write_text(json.dumps(document), encoding="utf-8")
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert versions_of(fresh_server, tmp_path, task) == [
        {"asset": "sh010_comp", "version": 1, "sessions": [_week_name(task.split("/")[0])]}
    ]
    assert OfflineQueue(tmp_path / "queue").entries() == []


def test_a_publish_queued_with_an_older_clients_settings_is_named_by_them_at_flush(
    fresh_server: Any, tmp_path: Path
) -> None:
    """A library caller of an older ft_dcc gives ``settings`` in their former fields (the
    asset's naming template and the task's names, the range and encode rules beside them):
    queued offline, its journal keeps the template, and the flush names the asset by it."""
    (task,) = _tasks(fresh_server, tmp_path, 1)
    fresh_server.stop()
    frames = make_sequence(tmp_path / "plate", frames=4, start=1001, name="plate")
    older: Any = {
        "asset_name_template": "{shot}_{scene}_older", "name_fields": {"shot": "sh010"},
        "plugins": {}, "camera_rule": "scene", "frame_rule": "scene", "handles": 0,
        "quality": 20, "sound": False,
    }  # fmt: skip
    report = publish(
        FilesHost(frames), task=task, fps="25", queue_dir=tmp_path / "queue", settings=older,
        session_factory=lambda: open_session(
            fresh_server, tmp_path / "down", retry=RetryPolicy(retries=0)
        ),
    )  # fmt: skip
    assert report.queued, str(report)
    (entry,) = OfflineQueue(tmp_path / "queue").entries()
    assert entry.manifest.asset_name == "sh010_plate_older"
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    found = versions_of(fresh_server, tmp_path, task)
    assert [(v["asset"], v["version"]) for v in found] == [("sh010_plate_older", 1)]
    assert OfflineQueue(tmp_path / "queue").entries() == []


def test_the_plugins_the_flush_names_are_ft_dccs_own() -> None:
    """The flush names the plugins it re-runs or leaves out by class name (it imports none of
    them: the plugins sit above it): each name is one of ft_dcc's plugins."""
    import pyblish.plugin

    from ft_dcc.publish.offline import flush_decision, queued_decision

    ours = {plugin.__name__ for plugin in pyblish.plugin.discover(paths=[str(PLUGIN_DIR)])}
    named = [queued_decision.FRAME_CHECK, flush_decision.SERVER_VIEW, flush_decision.SHOT_FRAMES,
             queued_decision.CAPTURE_SPEC, queued_decision.REVIEWABLES]  # fmt: skip
    assert [name for name in named if name not in ours] == []
