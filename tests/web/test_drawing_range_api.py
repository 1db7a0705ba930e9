"""Drawings held over a range of frames, over real HTTP: the range is kept in
the note's ftrack Metadata (``frame`` first, ``frame_out`` last), read back by the genuine
``ftrack_api`` client, by ft_dcc's feedback reader and by the page's ``/feedback``; a range the
version has not, a reversed or endless one, or junk is refused with a 4xx and leaves nothing
behind (no note, no stored PNG)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from support import genuine_sessions

from ft_dcc.review.feedback import session_feedback
from ft_dcc.server.review.feedback.drawing import MAX_HELD_FRAMES

from .feedback_fixtures import data_url, link, make_dailies, stroke_png

FIRST, LAST = 1001, 1048  # the version's movie: shot frames 1001..1048


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


def give_movie(session: Any, version: Any) -> None:
    """An ``ftrackreview-mp4`` component whose ``ftr_meta`` says 48 frames from shot frame
    1001 (ftrack's frameIn 0 / frameOut exclusive, and the capture's first frame)."""
    component = session.create(
        "FileComponent", {"name": "ftrackreview-mp4", "version": version, "file_type": ".mp4"}
    )
    session.commit()
    meta = {"frameIn": 0, "frameOut": LAST - FIRST + 1, "frameRate": 24}
    for key, value in (("ftr_meta", meta), ("ft_dcc_capture", {"source_first_frame": FIRST})):
        session.create(
            "Metadata",
            {"parent_id": component["id"], "parent_type": "FileComponent", "key": key,
             "value": json.dumps(value)},
        )  # fmt: skip
    session.commit()


def stored_files(server: Any) -> set:
    """Every file in the server's file store (drawings included)."""
    return {p for p in (Path(server.data_dir) / "files").rglob("*") if p.is_file()}


def test_a_drawing_held_over_frames_is_kept_in_the_notes_metadata(
    make_session: Any, embedded_server: Any
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v002 = dailies.objects[1]
    give_movie(session, v002["asset_version"])
    ann = link(session, dailies.ann)
    held = ann.post(
        "/annotations",
        {"object_id": v002["id"], "frame": 1010, "frame_out": 1014, "png": data_url(stroke_png())},
    )
    assert held.status_code == 201, held.text
    assert (held.json()["frame"], held.json()["frame_out"]) == (1010, 1014)
    single = ann.post(
        "/annotations", {"object_id": v002["id"], "frame": 1020, "png": data_url(stroke_png())}
    )
    assert single.status_code == 201, single.text
    assert single.json()["frame_out"] == 1020  # one frame by default

    reader = make_session()
    notes = {n["id"]: n for n in reader.get("ReviewSessionObject", v002["id"])["notes"]}
    metadata = dict(notes[held.json()["id"]]["metadata"])
    assert (metadata["frame"], metadata["frame_out"]) == ("1010", "1014")
    assert "frame_out" not in dict(notes[single.json()["id"]]["metadata"])

    read = {n.id: n for n in session_feedback(reader, dailies.review_session["id"])[1].notes}
    assert (read[held.json()["id"]].frame, read[held.json()["id"]].frame_out) == (1010, 1014)
    assert read[single.json()["id"]].frame_out is None
    page = {n["id"]: n for n in ann.feedback()["objects"][v002["id"]]["notes"]}
    assert (page[held.json()["id"]]["frame"], page[held.json()["id"]]["frame_out"]) == (1010, 1014)


def test_a_range_the_version_has_not_is_refused_and_leaves_nothing(
    make_session: Any, embedded_server: Any
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v001, v002 = dailies.objects
    give_movie(session, v002["asset_version"])
    ann = link(session, dailies.ann)
    before = stored_files(embedded_server)
    png = data_url(stroke_png())
    bad = [
        {"object_id": v002["id"], "frame": 1014, "frame_out": 1010, "png": png},  # reversed
        {"object_id": v002["id"], "frame": 1040, "frame_out": LAST + 1, "png": png},  # past end
        {"object_id": v002["id"], "frame": FIRST - 1, "png": png},  # before the first frame
        {"object_id": v002["id"], "frame": 1010, "frame_out": "1012", "png": png},
        {"object_id": v002["id"], "frame": 1010, "frame_out": 10.5, "png": png},
        {"object_id": v002["id"], "frame": 1010, "frame_out": True, "png": png},
        {"object_id": v002["id"], "frame": 1010, "frame_out": 10**30, "png": png},
        {"object_id": v002["id"], "frame": 1010, "frame_out": [1012], "png": png},
        # a version without a movie has no known frames, but a hold is still bounded
        {"object_id": v001["id"], "frame": 1, "frame_out": 1 + MAX_HELD_FRAMES, "png": png},
    ]
    for body in bad:
        answer = ann.post("/annotations", body)
        assert 400 <= answer.status_code < 500, (body["frame"], body.get("frame_out"))
        assert answer.json()["error"], answer.text
    assert "frame_out" in ann.post("/annotations", bad[0]).json()["error"]
    assert "1001-1048" in ann.post("/annotations", bad[1]).json()["error"]
    reader = make_session()
    for obj in (v001, v002):
        assert list(reader.get("ReviewSessionObject", obj["id"])["notes"]) == []
    assert stored_files(embedded_server) == before
    fine = ann.post(
        "/annotations",
        {"object_id": v001["id"], "frame": 1, "frame_out": MAX_HELD_FRAMES, "png": png},
    )
    assert fine.status_code == 201, fine.text
    assert len(stored_files(embedded_server)) > len(before)  # the store is where we look
