"""End to end: the files host, the real embedded server, real ffmpeg/ffprobe."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import requests
from publish_helpers import rate, top_level_boxes
from support import count_entities, ffprobe, make_sequence, make_task, metadata_of, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish
from ft_dcc.review import sessions as review


@pytest.mark.parametrize(
    ("fps_text", "fps"),
    [("25", Fraction(25)), ("23.976", Fraction(24000, 1001))],
    ids=["25fps", "23.976fps"],
)
def test_sequence_is_published_into_the_review_session(
    embedded_server, tmp_path: Path, queue_dir: Path, fps_text: str, fps: Fraction
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1024, fps=float(fps))
    sequence = make_sequence(tmp_path / "frames", frames=24, start=1001, size="640x360")
    report = publish(
        FilesHost(sequence, fps=fps_text),
        task=task_path,
        review_session_name="Dailies e2e",
        comment=f"first pass at {fps_text}",
        session=session,
    )
    assert report.ok and not report.queued, str(report)
    assert report.version_number == 1

    check = open_session(embedded_server, tmp_path)  # nothing cached: what the server holds
    version = check.query(
        "select id, version, comment, task_id, asset_id, thumbnail_id from AssetVersion "
        f'where id is "{report.asset_version_id}"'
    ).one()
    assert version["comment"] == f"first pass at {fps_text}"
    assert version["task_id"] == report.task_id
    assert version["version"] == 1
    asset = check.query(
        f'select name, context_id from Asset where id is "{version["asset_id"]}"'
    ).one()
    assert asset["name"] == "shot"

    components = {
        c["name"]: c
        for c in check.query(
            f'select id, name, file_type from FileComponent where version_id is "{version["id"]}"'
        ).all()
    }
    assert set(components) == {"ftrackreview-mp4", "thumbnail"}
    movie_component = components["ftrackreview-mp4"]
    assert movie_component["id"] == report.component_ids["ftrackreview-mp4"]
    assert version["thumbnail_id"] == components["thumbnail"]["id"]
    located = check.query(
        "select component_id from ComponentLocation where location_id is "
        f'"3a372bde-05bc-11e4-8908-20c9d081909b" and component_id is "{movie_component["id"]}"'
    ).all()
    assert len(located) == 1
    meta = metadata_of(check, movie_component["id"])
    ftr_meta = json.loads(meta["ftr_meta"])
    assert ftr_meta["frameIn"] == 0 and ftr_meta["frameOut"] == 24
    assert Fraction(ftr_meta["frameRate"]).limit_denominator(1001) == fps
    assert (ftr_meta["width"], ftr_meta["height"]) == (640, 360)
    assert json.loads(meta["ft_dcc_capture"])["frame_start"] == 1001

    # the review movie, downloaded back through the server URL, checked by the real ffprobe
    movie = tmp_path / "downloaded.mp4"
    response = requests.get(check.component_url(movie_component), timeout=30)
    assert response.status_code == 200
    movie.write_bytes(response.content)
    stream = ffprobe(movie)
    assert stream["codec_name"] == "h264" and stream["profile"] == "High"
    assert stream["pix_fmt"] == "yuv420p"
    assert int(stream["nb_read_frames"]) == 24
    assert rate(stream["r_frame_rate"]) == fps and rate(stream["avg_frame_rate"]) == fps
    boxes = top_level_boxes(movie)
    assert boxes.index("moov") < boxes.index("mdat")  # +faststart

    thumbnail = requests.get(check.component_url(components["thumbnail"]), timeout=30)
    assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"

    review_session = check.query(
        f'select id, name, project_id from ReviewSession where id is "{report.review_session_id}"'
    ).one()
    assert review_session["name"] == "Dailies e2e"
    objects = check.query(
        "select id, version_id, version, name from ReviewSessionObject "
        f'where review_session_id is "{review_session["id"]}"'
    ).all()
    assert [(o["id"], o["version_id"], o["version"]) for o in objects] == [
        (report.review_session_object_id, version["id"], "v001")
    ]
    assert review.is_open(review_session)
    assert OfflineQueue(queue_dir).entries() == []

    # where to watch it: the server's signed review page, no API key in the link
    assert report.review_url.startswith(f"{embedded_server.url}/review/{review_session['id']}?")
    assert embedded_server.api_key not in report.review_url
    page = requests.get(report.review_url, timeout=30)
    assert page.status_code == 200 and "Dailies e2e" in page.text


def test_second_publish_is_v002_in_the_same_review_session(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    first = publish(FilesHost(sequence, fps=25), task=task_path, session=session)
    second = publish(FilesHost(sequence, fps=25), task=task_path, session=session)
    assert first.ok and second.ok, str(second)
    assert (first.version_number, second.version_number) == (1, 2)
    assert first.review_session_id == second.review_session_id
    assert first.review_session_name == review.default_review_session_name()
    check = open_session(embedded_server, tmp_path)
    labels = sorted(
        o["version"]
        for o in check.query(
            "select version from ReviewSessionObject "
            f'where review_session_id is "{first.review_session_id}"'
        ).all()
    )
    assert labels == ["v001", "v002"]


def test_failed_validation_leaves_the_server_untouched(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(fresh_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1100, fps=25)  # the shot is 100 frames
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    before = count_entities(session)
    mark = fresh_server.log_mark()
    report = publish(FilesHost(sequence, fps=25), task=task_path, session=session)
    assert not report.ok and not report.queued
    assert any("1001-1100" in e for e in report.errors), report.errors
    writes = [
        action
        for request in fresh_server.api_requests_since(mark)
        for action in request.get("actions") or []
        if action in ("create", "update", "delete", "get_upload_metadata")
    ]
    assert writes == []
    assert count_entities(open_session(fresh_server, tmp_path)) == before
    assert OfflineQueue(queue_dir).entries() == []


def test_closed_review_session_is_refused_before_anything_is_written(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(fresh_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    project = session.query(f'Project where name is "{task_path.split("/")[0]}"').one()
    closed = review.find_or_create_review_session(session, project, "Client review")
    review.close_review_session(session, closed)
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    before = count_entities(session)
    report = publish(
        FilesHost(sequence, fps=25),
        task=task_path,
        review_session_name="Client review",
        session=session,
    )
    assert not report.ok
    (error,) = report.errors
    assert "Client review" in error and "closed" in error and "reopen" in error
    assert count_entities(open_session(fresh_server, tmp_path)) == before


def test_unknown_task_is_a_clear_validation_error(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session)
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    wrong = task_path.replace("/sh010/", "/sh999/")
    report = publish(FilesHost(sequence, fps=25), task=wrong, session=session)
    assert not report.ok
    assert any("sh999" in e and "spelling" in e for e in report.errors), report.errors


def test_task_from_ftrack_contextid(
    embedded_server, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    project, _sequence, _shot, task_name = task_path.split("/")
    task = session.query(f'Task where name is "{task_name}" and project.name is "{project}"').one()
    monkeypatch.setenv("FTRACK_CONTEXTID", task["id"])
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    report = publish(FilesHost(sequence, fps=25), session=session)
    assert report.ok, str(report)
    assert report.task_id == task["id"]
    version = session.query(
        f'select task_id from AssetVersion where id is "{report.asset_version_id}"'
    ).one()
    assert version["task_id"] == task["id"]
