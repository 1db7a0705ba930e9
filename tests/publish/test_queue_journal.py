"""The offline queue's journal keeps a queued version's decision typed: the artist's own request
(None or empty where the settings decide) in the request's one JSON form (the form a headless
host and a farm node receive) and its host's facts; the journals of the two previous formats
(the settled request beside what the settings alone gave; the dict of decided values) are read
as the artist's choices. An entry that cannot be read (damaged, or of a newer format) is
refused with an error naming its file and what to do; it stays with its media, and the other
entries still flush."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import attr
import pytest
from support import make_sequence, make_task, open_session
from test_queue_redecide import ft_dcc, push, queued, versions_of

from ft_dcc.exceptions import QueueError
from ft_dcc.publish import OfflineQueue
from ft_dcc.publish.common.recorded_host import HostFacts
from ft_dcc.publish.offline.queued_decision import QueuedDecision, artist_choices, read_decision
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.request.wire import request_from_json

WHERE = "/queue/20261127T120000.000000-abc/manifest.json"


ARTIST = PublishRequest(
    task="p/sq010/sh010/comp", review_session_name="Mine", fps="25",
    reviewables=[Reviewable(asset_name="plate")],
    settings=StudioSettings(plugins={"CollectCaptureSpec": {"resolution": "640x480"}}),
)  # fmt: skip
HOST = HostFacts(name="files", rate_source="--fps", resolution=(320, 240),
                 frame_range=(1001, 1004), fps="25/1")  # fmt: skip


def _decision() -> QueuedDecision:
    return QueuedDecision(request=ARTIST, host=HOST, input="/shots/plate.%04d.png")


#: one version's decision as format 2 wrote it: the request as the offline publish received it
#: (settled: the settings' review session name and frame check beside the artist's choices)
#: and what the settings alone gave
SETTLED_DECISION = """{
  "ft_dcc_queued": 2,
  "request": {"ft_dcc_request": 1, "reviewables": [{"source": null, "asset_name": "plate"}],
              "task": "p/sq010/sh010/comp", "review_session_name": "Dailies 2026-11-27",
              "comment": "", "frames": null, "fps": "25/1", "invitees": [], "addresses": [],
              "include_source": false, "queue_dir": null, "work_dir": null,
              "thumbnail_frame": null, "still": false, "still_frame": null, "burnin": null,
              "burnin_template": null, "new_review_session": false, "repair": false,
              "settings": {"plugins": {"CollectCaptureSpec": {"resolution": "640x480"},
                                       "ValidateFrameRange": {"severity": "warn"}}},
              "task_names": {"project": "p", "shot": "sh010", "task": "comp"}},
  "alone": {"ft_dcc_request": 1, "reviewables": [{"source": null, "asset_name": null}],
            "task": "p/sq010/sh010/comp", "review_session_name": "Dailies 2026-11-27",
            "comment": "", "frames": null, "fps": null, "invitees": [], "addresses": [],
            "include_source": false, "queue_dir": null, "work_dir": null,
            "thumbnail_frame": null, "still": false, "still_frame": null, "burnin": null,
            "burnin_template": null, "new_review_session": false, "repair": false,
            "settings": {"plugins": {"ValidateFrameRange": {"severity": "warn"}}},
            "task_names": {"project": "p", "shot": "sh010", "task": "comp"}},
  "host": {"name": "files", "rate_source": "--fps", "renders_range": false,
           "resolution": [320, 240], "frame_range": [1001, 1004], "fps": "25/1",
           "renumbers": false},
  "input": "/shots/plate.%04d.png", "burnin": false, "default_asset": null, "camera": null
}"""


def test_a_decision_is_the_artists_request_in_its_one_form_and_read_back_as_it_was() -> None:
    decision = _decision()
    written = json.loads(json.dumps(decision.to_json()))
    assert written["ft_dcc_queued"] == 3 and "alone" not in written
    assert request_from_json(written["request"]) == ARTIST  # the one reader
    assert read_decision(written, WHERE, "plate", "p/sq010/sh010/comp") == decision


def test_a_decision_of_format_2_is_read_as_the_artists_choices() -> None:
    """What the settings alone gave (the session's name, the frame check) is left to them."""
    read = read_decision(json.loads(SETTLED_DECISION), WHERE, "plate", "p/sq010/sh010/comp")
    asked = read.request
    assert (asked.review_session_name, asked.fps) == (None, Fraction(25))
    assert asked.settings.plugins == {"CollectCaptureSpec": {"resolution": "640x480"}}
    assert read.host == HOST and read.input == "/shots/plate.%04d.png"


def test_the_artists_choices_are_what_the_settings_alone_did_not_give() -> None:
    alone = PublishRequest(
        task="p/sq010/sh010/comp", review_session_name="Dailies 2026-11-27",
        settings=StudioSettings(plugins={"ValidateFrameRange": {"severity": "warn"}}),
    )  # fmt: skip
    frame_check = {"ValidateFrameRange": {"severity": "warn"}}
    settled = attr.evolve(ARTIST, settings=StudioSettings(
        plugins={**ARTIST.settings.plugins, **frame_check}))  # fmt: skip
    assert artist_choices(settled, alone) == ARTIST
    assert artist_choices(alone, alone).review_session_name is None  # left to the settings
    assert artist_choices(settled, None) == settled  # unread: every value is the artist's


def test_the_flush_settles_the_artists_request_with_the_settings_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the live publish's own ``settled``: what the artist left empty is the
    settings' now, what the artist chose stays."""
    from ft_dcc.publish.offline.flush_decision import settled
    from ft_dcc.publish.request.settings_options import SharedRead, resolve_for

    now = {"naming.review_session": "{project} now", "capture.scale": 0.5}
    (tmp_path / "studio.json").write_text(json.dumps({"settings": now}), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "studio.json"))
    monkeypatch.setenv("FTRACK_CONTEXTID", "")
    read = resolve_for("p/sq010/sh010/comp", "/shots/plate.%04d.png", "files",
                       shared=SharedRead(None))  # fmt: skip
    chosen = settled(_decision(), read)
    assert chosen.review_session_name == "Mine" and chosen.fps == Fraction(25)
    plugins = chosen.settings.plugins
    assert plugins["CollectCaptureSpec"] == {"resolution": "640x480", "scale": 0.5}
    assert "ValidateFrameRange" not in plugins  # the settings now give the default
    former = read_decision(json.loads(SETTLED_DECISION), WHERE, "plate", None)
    left = settled(former, read)
    assert left.review_session_name == "p now" and "ValidateFrameRange" not in left.settings.plugins


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"ft_dcc_queued": 99}, "format ft_dcc_queued 99; this ft_dcc reads 3"),
        ({"request": {"ft_dcc_request": 1, "fps": [25]}}, "is damaged"),
        ({"host": "files"}, "is damaged"),
    ],
)
def test_a_decision_that_cannot_be_read_names_its_file_and_what_to_do(
    change: Any, said: str
) -> None:
    written = {**_decision().to_json(), **change}
    with pytest.raises(QueueError) as refused:
        read_decision(written, WHERE, "plate", None)
    assert WHERE in refused.value.message and said in refused.value.message, refused.value
    assert "it stays queued" in refused.value.message and refused.value.hint


def test_a_damaged_entry_and_one_of_a_newer_format_stay_and_the_others_flush(
    fresh_server: Any, tmp_path: Path
) -> None:
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1004, fps=25)
    fresh_server.stop()
    for name in ("damaged", "newer", "fine"):
        queued(fresh_server, tmp_path, name, task, "--fps", "25", "--review-session", "Mine")
    damaged, newer, fine = OfflineQueue(tmp_path / "queue").entries()
    request = request_from_json(fine.manifest.queued_decision["request"])  # the one form
    assert request.review_session_name == "Mine" and request.task == task
    assert request.fps == Fraction(25)
    assert fine.manifest.queued_decision["host"]["resolution"] == [320, 240]
    (damaged.path / "manifest.json").write_text('{"asset_name": "damaged", ', encoding="utf-8")
    document = json.loads((newer.path / "manifest.json").read_text(encoding="utf-8"))
    document["queued_decision"]["ft_dcc_queued"] = 99
    (newer.path / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    fresh_server.start()
    flushed = ft_dcc(fresh_server, tmp_path, "queue", "flush")
    text = flushed.stdout
    assert flushed.returncode == 1, text + flushed.stderr
    assert "published: " in text and "fine v001" in text, text
    assert f"{damaged.path / 'manifest.json'} is damaged" in text, text
    assert f"{newer.path / 'manifest.json'} holds a decision of format" in text, text
    assert "ft-dcc queue drop" in text, text
    kept = OfflineQueue(tmp_path / "queue").entries()
    assert [entry.path for entry in kept] == [damaged.path, newer.path]  # nothing lost
    assert all(len(list((entry.path / "media").iterdir())) == 2 for entry in kept)
    listing = ft_dcc(fresh_server, tmp_path, "queue", "list")
    assert damaged.id[:8] in listing.stdout and "is damaged" in listing.stdout, listing.stdout
    dropped = ft_dcc(fresh_server, tmp_path, "queue", "drop", damaged.id[:8])
    assert dropped.returncode == 0, dropped.stdout + dropped.stderr
    assert [entry.path for entry in OfflineQueue(tmp_path / "queue").entries()] == [newer.path]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"manifest_id": ', "is damaged"),
        ('["a list"]', "is damaged"),
        ('{"format": 99, "manifest_id": "x"}', "publish manifest format 99 is newer"),
    ],
)
def test_a_manifest_that_cannot_be_read_is_listed_and_refused_by_its_file_and_kept(
    tmp_path: Path, text: str, said: str
) -> None:
    entry = tmp_path / "queue" / "20261127T120000.000000-0a1b2c3d-x"
    (entry / "media").mkdir(parents=True)
    (entry / "media" / "ftrackreview-mp4.mp4").write_bytes(b"movie")
    (entry / "manifest.json").write_text(text, encoding="utf-8")
    queue = OfflineQueue(tmp_path / "queue")
    (listed,) = queue.entries()
    assert listed.id == "0a1b2c3d-x" and listed.last_error and said in listed.last_error
    assert listed.manifest.created_at == "2026-11-27T12:00:00+00:00"  # when it was queued
    flushed = queue.flush(session_factory=lambda: cast(Any, object()))  # never used
    (outcome,) = flushed.outcomes
    assert not outcome.ok and str(entry / "manifest.json") in outcome.message, outcome.message
    assert said in outcome.message and flushed.remaining == 1
    assert (entry / "manifest.json").read_text(encoding="utf-8") == text  # kept as it was
    assert (entry / "media" / "ftrackreview-mp4.mp4").read_bytes() == b"movie"


@pytest.mark.parametrize(
    ("severity", "still", "reads_the_shot"),
    [("off", False, False), ("block", True, False), ("warn", False, True), ("block", False, True)],
)
def test_the_flush_reads_the_shot_only_when_the_frame_check_looks_at_it(
    severity: str, still: bool, reads_the_shot: bool
) -> None:
    from ft_dcc.publish.offline.flush_decision import SERVER_VIEW, SHOT_FRAMES, _left_out

    left_out = _left_out({"ValidateFrameRange": {"severity": severity}}, still)
    off = {SHOT_FRAMES: {"enabled": False}, SERVER_VIEW: {"enabled": False}}
    assert left_out == ({} if reads_the_shot else off)


def test_a_ui_publish_queued_offline_journals_the_artists_own_request(
    fresh_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host UI's publish is settled where the pipeline starts, and its journal keeps the
    artist's own request: a review session the artist named stays at flush, even one named as
    the settings offline named it; one left to the settings takes the settings' name then."""
    from ft_dcc.host.files import FilesHost
    from ft_dcc.host.job import PublishJob
    from ft_dcc.publish.request.settings_options import SharedRead, resolve_for, settled
    from ft_dcc.session import RetryPolicy

    for name in ("FT_DCC_SETTINGS", "FTRACK_CONTEXTID", "PYBLISHPLUGINPATH"):
        monkeypatch.setenv(name, "")
    with open_session(fresh_server, tmp_path) as session:
        mine, left = (make_task(session, fstart=1001, fend=1004, fps=25) for _ in range(2))
    fresh_server.stop()
    alone = resolve_for(mine, "", "files", shared=SharedRead(None))
    offline = settled(PublishRequest(task=mine), *alone).review_session_name
    assert offline
    queue = tmp_path / "queue"
    for task, chosen in ((mine, offline), (left, None)):
        frames = make_sequence(tmp_path / task.split("/")[0], frames=4, start=1001, name="plate")
        request = PublishRequest(task=task, review_session_name=chosen, queue_dir=queue)
        job = PublishJob(FilesHost(frames, fps=25), request, studio_settings=True,
                         session_factory=lambda: open_session(
                             fresh_server, tmp_path / "down", retry=RetryPolicy(retries=0),
                             defer_start=True))  # fmt: skip
        job.run()
        assert job.report is not None and job.report.queued, (job.error, str(job.report))
        assert job.settings is not None  # the settings it used, for the UI's report
    asked = _journaled(queue)
    assert [each.review_session_name for each in asked] == [offline, None]
    assert [each.settings.plugins for each in asked] == [{}, {}]  # nothing the artist chose
    _flushed_as_named(fresh_server, tmp_path, mine, offline, left)


def _journaled(queue: Path) -> list[PublishRequest]:
    """The artist's requests the queue's journal keeps, in its order."""
    entries = OfflineQueue(queue).entries()
    return [request_from_json(entry.manifest.queued_decision["request"]) for entry in entries]


def _flushed_as_named(server: Any, tmp_path: Path, mine: str, named: str, left: str) -> None:
    """The studio's review session template changed, then the flush: ``mine``'s version is in
    the session the artist ``named``, ``left``'s in the one the template names now."""
    server.start()
    push(server, tmp_path, {"naming.review_session": "{project} now"}, "--studio")
    flushed = ft_dcc(server, tmp_path, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert [v["sessions"] for v in versions_of(server, tmp_path, mine)] == [[named]]
    now = f"{left.split('/')[0]} now"
    assert [v["sessions"] for v in versions_of(server, tmp_path, left)] == [[now]]


def test_a_cli_publish_queued_offline_journals_the_artists_own_request(
    fresh_server: Any, tmp_path: Path
) -> None:
    """``ft-dcc publish`` queued offline journals the artist's own request, as a host UI's
    publish does: a ``--review-session`` the artist typed stays at flush, even one equal to the
    name the settings gave offline; one left to the settings takes the settings' name then."""
    with open_session(fresh_server, tmp_path) as session:
        left, mine = (make_task(session, fstart=1001, fend=1004, fps=25) for _ in range(2))
    fresh_server.stop()
    queued(fresh_server, tmp_path, "left", left, "--fps", "25")
    (first,) = OfflineQueue(tmp_path / "queue").entries()
    offline = first.manifest.review_session_name  # what the settings gave offline
    assert offline
    queued(fresh_server, tmp_path, "mine", mine, "--fps", "25", "--review-session", offline)
    asked = _journaled(tmp_path / "queue")
    assert [each.review_session_name for each in asked] == [None, offline]
    _flushed_as_named(fresh_server, tmp_path, mine, offline, left)


def test_the_clis_own_settings_are_the_artists_choices_and_the_others_are_left() -> None:
    """What ``ft-dcc publish`` journals as the artist's own request: the flags as typed, and
    what the artist's ``--set`` decided (its plugin values, the review session and burn-in it
    names); what any other layer gave is left to the settings of the flush."""
    from ft_dcc.publish.request.settings_options import TaskContext, artist_request, settled
    from ft_dcc.settings.resolve import resolve

    typed = PublishRequest(task="p/sq/sh/comp", comment="pass 2", fps="25")
    context = TaskContext(project="p", fields={"project": "p"})
    artist = {"naming.review_session": "Mine {date}", "burnin.mode": "on",
              "capture.scale": 0.5}  # fmt: skip
    own = artist_request(typed, settled(typed, resolve([], artist=artist), context), artist)
    assert (own.review_session_name or "").startswith("Mine ") and own.burnin == "on"
    assert own.settings.plugins == {
        "CollectCaptureSpec": {"scale": 0.5},
        "ValidateReviewSessionOpen": {"template": "Mine {date}"},
    }
    assert (own.comment, own.fps, own.task_names) == ("pass 2", typed.fps, {})
    left = artist_request(typed, settled(typed, resolve([]), context), {})
    assert left == typed  # nothing the artist chose beyond the flags


def test_a_library_publish_queued_offline_journals_its_request_as_it_came(
    fresh_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library caller's publish (``ft_dcc.publish``: the request not settled) journals its
    request as it came: a review session it named as the settings offline name it stays."""
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish import publish
    from ft_dcc.publish.request.settings_options import SharedRead, resolve_for, settled
    from ft_dcc.session import RetryPolicy

    for name in ("FT_DCC_SETTINGS", "FTRACK_CONTEXTID", "PYBLISHPLUGINPATH"):
        monkeypatch.setenv(name, "")
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1004, fps=25)
    fresh_server.stop()
    alone = resolve_for(task, "", "files", shared=SharedRead(None))
    offline = settled(PublishRequest(task=task), *alone).review_session_name
    assert offline
    frames = make_sequence(tmp_path / "plate", frames=4, start=1001, name="plate")
    report = publish(
        FilesHost(frames, fps=25), task=task, review_session_name=offline,
        queue_dir=tmp_path / "queue", session_factory=lambda: open_session(
            fresh_server, tmp_path / "down", retry=RetryPolicy(retries=0), defer_start=True),
    )  # fmt: skip
    assert report.queued, str(report)
    assert [each.review_session_name for each in _journaled(tmp_path / "queue")] == [offline]
