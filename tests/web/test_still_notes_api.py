"""Notes on a still carry no frame, over real HTTP, read back with the genuine ``ftrack_api``.

A still (a version whose reviewable is an ``ftrackreview-image``) has one picture and no frames:
its notes, drawings included, are stored without ``frame`` (or ``frame_out``) metadata whatever
frame a page sends, and the page's feedback names none. A movie's drawing keeps its frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from support import genuine_sessions

from .feedback_fixtures import data_url, link, make_dailies, personal_link, stroke_png


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


def _still(session: Any, version: Any, folder: Path) -> None:
    """``version`` becomes a still: an ``ftrackreview-image`` in ftrack.server."""
    image = folder / "concept.png"
    image.write_bytes(stroke_png())
    location = session.query('Location where name is "ftrack.server"').one()
    component = session.create_component(
        str(image), {"name": "ftrackreview-image", "version": version}, location=location
    )
    component["metadata"]["ftr_meta"] = '{"format": "image", "width": 64, "height": 36}'
    session.commit()


def test_a_drawing_on_a_still_carries_no_frame(make_session: Any, tmp_path: Path) -> None:
    session = make_session()
    dailies = make_dailies(session)
    still, movie = dailies.objects
    _still(session, still["asset_version"], tmp_path)
    ann = link(session, dailies.ann)

    drawn = ann.post("/annotations", {"object_id": still["id"], "frame": 1001,
                                      "png": data_url(stroke_png()), "content": "sky"})  # fmt: skip
    assert drawn.status_code == 201, drawn.text
    assert drawn.json()["frame"] is None
    held = ann.post("/annotations", {"object_id": still["id"], "frame": 1001, "frame_out": 1003,
                                     "png": data_url(stroke_png())})  # fmt: skip
    assert held.status_code == 201, held.text
    noted = ann.post("/notes", {"object_id": still["id"], "content": "warmer", "frame": 1001})
    assert noted.status_code == 201, noted.text
    on_movie = ann.post("/annotations", {"object_id": movie["id"], "frame": 1012,
                                         "png": data_url(stroke_png())})  # fmt: skip
    assert on_movie.status_code == 201, on_movie.text

    # a movie's drawing without its frame is refused, nothing written
    unframed = ann.post("/annotations", {"object_id": movie["id"], "png": data_url(stroke_png())})
    assert unframed.status_code == 400 and "frame" in unframed.json()["error"], unframed.text

    reader = make_session()
    on_the_movie = reader.query(f'select id from Note where parent_id is "{movie["id"]}"').all()
    assert [n["id"] for n in on_the_movie] == [on_movie.json()["id"]]
    for answer in (drawn, held, noted):
        note = reader.get("Note", answer.json()["id"])
        assert dict(note["metadata"]) == {}, (answer.json(), dict(note["metadata"]))
    assert reader.get("Note", on_movie.json()["id"])["metadata"]["frame"] == "1012"

    studio = personal_link(session, dailies.review_session).feedback()
    notes = studio["objects"][still["id"]]["notes"]
    assert len(notes) == 3
    assert all(n["frame"] is None and n.get("frame_out") is None for n in notes), notes
    assert sum(1 for n in notes if n["annotation_url"]) == 2
