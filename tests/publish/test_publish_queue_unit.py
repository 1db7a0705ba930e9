"""The offline queue on disk: atomic entries, listing, removal, the flush lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ft_dcc.exceptions import QueueError
from ft_dcc.publish.common.atomic import atomic_write_json
from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.offline.queue import OfflineQueue, default_queue_dir


def manifest_with_media(folder: Path) -> IntegrateManifest:
    folder.mkdir(parents=True, exist_ok=True)
    movie = folder / "review.mp4"
    movie.write_bytes(b"\x00" * 2048)
    thumb = folder / "thumb.jpg"
    thumb.write_bytes(b"\xff\xd8" + b"\x01" * 100)
    return IntegrateManifest(
        task_path="demo/sh010/comp",
        asset_name="sh010",
        components=[
            ComponentSpec(name="ftrackreview-mp4", file=str(movie), metadata={"ftr_meta": "{}"}),
            ComponentSpec(name="thumbnail", file=str(thumb)),
        ],
        thumbnail_component="thumbnail",
        review_session_name="Dailies test",
    )


def test_spool_copies_media_and_roundtrips_the_manifest(tmp_path: Path) -> None:
    queue = OfflineQueue(tmp_path / "q")
    manifest = manifest_with_media(tmp_path / "work")
    entry = queue.spool(manifest)
    assert entry.path.parent == queue.directory
    assert sorted(p.name for p in entry.media_dir.iterdir()) == [
        "ftrackreview-mp4.mp4",
        "thumbnail.jpg",
    ]
    (listed,) = queue.entries()
    assert listed.manifest.to_dict() == entry.manifest.to_dict()
    assert listed.manifest.version_id == manifest.version_id  # ids chosen once, kept
    assert (
        listed.manifest.component("ftrackreview-mp4").path(listed.media_dir).stat().st_size == 2048
    )
    # the work folder can go away: the queue has its own copies
    for file in (tmp_path / "work").iterdir():
        file.unlink()
    assert listed.manifest.component("thumbnail").path(listed.media_dir).is_file()
    assert not [p for p in queue.directory.iterdir() if p.name.startswith(".incoming")]


def test_half_written_and_finished_entries_are_never_listed(tmp_path: Path) -> None:
    queue = OfflineQueue(tmp_path / "q")
    entry = queue.spool(manifest_with_media(tmp_path / "work"))
    (queue.directory / ".incoming-crashed").mkdir()  # a crash while spooling
    (queue.directory / ".done-old").mkdir()  # a crash while removing
    assert [e.id for e in queue.entries()] == [entry.id]
    assert not (queue.directory / ".done-old").exists()
    queue.remove(entry)
    assert queue.entries() == []


def test_missing_media_cannot_be_queued(tmp_path: Path) -> None:
    manifest = manifest_with_media(tmp_path / "work")
    Path(manifest.components[0].file).unlink()
    with pytest.raises(QueueError, match="missing"):
        OfflineQueue(tmp_path / "q").spool(manifest)
    assert OfflineQueue(tmp_path / "q").entries() == []


def test_failures_are_recorded_in_the_entry(tmp_path: Path) -> None:
    queue = OfflineQueue(tmp_path / "q")
    entry = queue.spool(manifest_with_media(tmp_path / "work"))
    queue.record_failure(entry, "server unreachable")
    (listed,) = queue.entries()
    assert listed.attempts == 1 and listed.last_error == "server unreachable"
    assert listed.summary()["task"] == "demo/sh010/comp"


def test_only_one_flush_at_a_time(tmp_path: Path) -> None:
    queue = OfflineQueue(tmp_path / "q")
    with queue.lock():
        with (
            pytest.raises(QueueError, match="already running"),
            OfflineQueue(tmp_path / "q").lock(),
        ):
            pass
        with pytest.raises(QueueError, match="already running"):
            OfflineQueue(tmp_path / "q").flush()
    with queue.lock():  # released again
        pass


def test_queue_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "spool"))
    assert default_queue_dir() == tmp_path / "spool"
    monkeypatch.delenv("FT_DCC_QUEUE_DIR")
    assert default_queue_dir().name == "queue"


def test_atomic_json_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_newer_manifest_format_is_refused(tmp_path: Path) -> None:
    data = manifest_with_media(tmp_path / "w").to_dict()
    data["format"] = 99
    with pytest.raises(QueueError, match="newer"):
        IntegrateManifest.from_dict(data)


def test_stale_half_written_entries_are_cleaned_up(tmp_path: Path) -> None:
    import os
    import time

    queue = OfflineQueue(tmp_path / "q")
    queue.spool(manifest_with_media(tmp_path / "work"))
    fresh = queue.directory / ".incoming-still-spooling"
    stale = queue.directory / ".incoming-crashed-yesterday"
    fresh.mkdir()
    stale.mkdir()
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    assert len(queue.entries()) == 1
    assert fresh.exists() and not stale.exists()


def test_a_flush_skips_an_entry_its_live_publish_finished_after_the_listing(
    tmp_path: Path,
) -> None:
    """Between a flush listing the entries and claiming one, the live publish that journals it
    may finish and remove it: the flush moves on (it used to raise FileNotFoundError, which
    failed the publish whose backlog flush it was)."""
    queue = OfflineQueue(tmp_path / "q")
    live = queue.spool(manifest_with_media(tmp_path / "work"), journal=True)
    live.release()  # the live publish is past its commit; another process is flushing

    def listed_then_finished(entry: object) -> bool:
        queue.remove(live)  # the live publish finishes right after the flush listed it
        return True

    result = queue.flush(object(), select=listed_then_finished)  # type: ignore[arg-type]
    assert result.outcomes == [] and result.remaining == 0
    assert queue.entries() == []
