"""``ft-dcc review export`` of a session mixing a still and a movie, against the real embedded
server: the still published with ``ft-dcc publish concept.png``, a drawing and a note left on it
through the review page's HTTP API. The export treats the still as a still: its picture in
``media/``, each of its notes shown as the still with the note's drawings over it (decoded: the
drawing's red over the still's green), no frame in the CSV, a one-frame OTIO clip marked
``still`` with its notes as markers (read back by OpenTimelineIO), and the PDF (printed by
Chromium, read back by poppler) with the still and its drawing on its page."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from support import make_sequence, make_task, open_session
from test_export import run
from web.feedback_fixtures import data_url, decode_rgba, link, pixel, png_rgba

pytestmark = [pytest.mark.slow]  # publishes, exports and prints a PDF: seconds
otio = pytest.importorskip("opentimelineio")
Image = pytest.importorskip("PIL.Image")

SESSION = "Concept review"
SIZE = (320, 180)
GREEN = (0, 160, 0)
RED = (230, 20, 30, 255)


def _stroke() -> bytes:
    """A drawing in the still's own pixels: a red band across its top rows."""
    return png_rgba(*SIZE, lambda x, y: RED if 10 <= y < 20 else (0, 0, 0, 0))


@pytest.fixture(scope="module")
def exported(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    root = tmp_path_factory.mktemp("export-still")
    env = dict(embedded_server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(root / "schemas"),
               FT_DCC_QUEUE_DIR=str(root / "queue"), PYBLISHPLUGINPATH="")  # fmt: skip
    still = root / "concept.png"
    Image.new("RGB", SIZE, GREEN).save(still)
    with open_session(embedded_server, root) as session:
        task = make_task(session, f"exs{uuid.uuid4().hex[:8]}")
        project = task.split("/")[0]
        for media in (still, make_sequence(root / "anim", frames=12)):
            done = run(env, "publish", str(media), "--task", task, "--review-session", SESSION)
            assert done.returncode == 0, done.stdout + done.stderr
        review_session = session.query(
            f'select id from ReviewSession where name is "{SESSION}" '
            f'and project.name is "{project}"'
        ).one()
        invitee = session.create("ReviewSessionInvitee", {
            "review_session": review_session, "name": "Ana Lee", "email": "ana@studio.example",
        })  # fmt: skip
        session.commit()
        objects = session.query(
            "select id, asset_version.components.name from ReviewSessionObject "
            f'where review_session_id is "{review_session["id"]}"'
        ).all()
        [still_object] = [
            o for o in objects
            if "ftrackreview-image" in [c["name"] for c in o["asset_version"]["components"]]
        ]  # fmt: skip
        room = link(session, invitee)
    drawn = room.post("/annotations", {"object_id": still_object["id"], "png": data_url(_stroke()),
                                       "content": "sky too cold"})  # fmt: skip
    assert drawn.status_code == 201, drawn.text
    noted = room.post("/notes", {"object_id": still_object["id"], "content": "lovely rim light"})
    assert noted.status_code == 201, noted.text
    output = root / "out"
    done = run(env, "review", "export", SESSION, "--project", project, "--output", str(output),
               "--format", "otio,edl,fcpxml,csv,pdf")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {"output": output, "drawn": drawn.json()["id"], "noted": noted.json()["id"],
            "still": still_object["id"]}  # fmt: skip


def test_a_still_exports_as_a_still(exported: Dict[str, Any], artifacts_dir: Path) -> None:
    output: Path = exported["output"]
    media = sorted(p.name for p in (output / "media").iterdir())
    assert any(name.endswith(".png") for name in media), media
    assert any(name.endswith(".mp4") for name in media), media

    # each note on the still: the still with that note's drawings over it
    pictures = {p.name: p for p in (output / "frames").iterdir()}
    drawn = next(p for n, p in pictures.items() if exported["drawn"][:8] in n)
    plain = next(p for n, p in pictures.items() if exported["noted"][:8] in n)
    decoded = decode_rgba(drawn.read_bytes())
    assert decoded[:2] == SIZE
    assert pixel(decoded, 100, 15)[:3] == RED[:3]  # the drawing, in the still's own pixels
    assert all(abs(a - b) <= 2 for a, b in zip(pixel(decoded, 100, 100)[:3], GREEN))
    clean = decode_rgba(plain.read_bytes())
    assert all(abs(a - b) <= 2 for a, b in zip(pixel(clean, 100, 15)[:3], GREEN))

    # the editor's formats carry the still's notes as markers too, read back by OTIO's adapters
    for name, adapter in (("session.edl", "cmx_3600"), ("session.xml", "fcp_xml")):
        read = otio.adapters.read_from_file(str(output / name), adapter_name=adapter)
        markers = [m for clip in read.find_clips() for m in clip.markers]
        said = [m.name.lower() for m in markers]
        assert any("sky too cold (on the still)" in m for m in said), (name, said)
        assert not any("none" in m for m in said), (name, said)

    # CSV: a still's notes have no frame
    with (output / "notes.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = {r["note_id"]: r for r in csv.DictReader(stream)}
    for note in (exported["drawn"], exported["noted"]):
        assert rows[note]["frame"] == "" and rows[note]["frame_out"] == "", rows[note]
    assert rows[exported["drawn"]]["drawings"] == "1"

    # OTIO: a one-frame clip of the still, marked still, its notes markers on its one picture
    timeline = otio.adapters.read_from_file(str(output / "session.otio"))
    [clip] = [c for c in timeline.tracks[0] if c.metadata["ft_dcc"].get("still")]
    assert clip.media_reference.target_url.endswith(".png")
    assert (output / clip.media_reference.target_url).is_file()
    assert clip.source_range.duration.value == 1
    assert (clip.metadata["ft_dcc"]["width"], clip.metadata["ft_dcc"]["height"]) == SIZE
    assert len(clip.metadata["ft_dcc"]["notes_without_frame"]) == 0
    marked = {m.metadata["ft_dcc"]["id"]: m for m in clip.markers}
    assert set(marked) == {exported["drawn"], exported["noted"]}
    assert all(m.marked_range.start_time.value == 0 for m in marked.values())
    assert all("frame" not in m.metadata["ft_dcc"] for m in marked.values())
    assert json.loads(otio.adapters.write_to_string(timeline, "otio_json"))

    # the PDF: the still's page shows its notes and the drawing's red over the still's green
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is missing: make test installs it (SYSTEM_PACKAGES)")
    pdf = output / "notes.pdf"
    text = " ".join(_poppler("pdftotext", "-layout", str(pdf), "-").split())
    for words in ("sky too cold", "lovely rim light", "on the still", "Still 320 x 180 px"):
        assert words in text, (words, text)
    for old in artifacts_dir.glob("review-export-still-page*.png"):
        old.unlink()
    stem = artifacts_dir / "review-export-still-page"
    _poppler("pdftoppm", "-png", "-r", "60", str(pdf), str(stem))
    pages = sorted(artifacts_dir.glob("review-export-still-page*.png"))
    colours = [_colours(p) for p in pages]
    assert any(red and green for red, green in colours), colours


def _poppler(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


def _colours(picture: Path) -> tuple:
    with Image.open(picture) as image:
        rgb = image.convert("RGB")
        counts = rgb.getcolors(maxcolors=rgb.size[0] * rgb.size[1]) or []
    red = sum(n for n, (r, g, b) in counts if r > 180 and g < 80 and b < 80)
    green = sum(n for n, (r, g, b) in counts if r < 60 and g > 120 and b < 60)
    return red, green


def test_export_summary_counts_the_still_pictures(exported: Dict[str, Any]) -> None:
    report = (exported["output"] / "notes.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img src="frames/', report)) == 2
