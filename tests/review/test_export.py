"""``ft-dcc review export`` against the real embedded server: two versions published with
``ft-dcc publish`` (every frame encodes its own number), notes, a reply, drawings (one held over
frames) and a verdict left through the review page's HTTP API; the export read back with
OpenTimelineIO's own reader and ``otiocat``, its frame pictures decoded, and its notes report
opened (and printed to PDF) in real Chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import attr
import pytest
from support import make_task, open_session
from support.cli import run_ft_dcc
from web.feedback_fixtures import data_url, decode_rgba, link, pixel, png_rgba
from web.frame_code import CENTRES, FIRST, FRAMES, RATE, coded_frames, decode_levels

otio = pytest.importorskip("opentimelineio")

SESSION = "Export dailies"
RED = (230, 20, 30, 255)
CANVAS = (64, 36)
TOP_ROWS = range(1, 5)  # the drawing's stroke: above the frame code's band


def run(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc([*args], env=dict(os.environ, **env), timeout=600)


def top_stroke() -> bytes:
    return png_rgba(*CANVAS, lambda x, y: RED if y in TOP_ROWS and 4 <= x < 60 else (0, 0, 0, 0))


@attr.s(auto_attribs=True)
class Exported:
    env: Dict[str, str]
    project: str
    objects: List[str]  # ReviewSessionObject ids, v001 then v002
    notes: Dict[str, Tuple[str, int, int]]  # note id -> (object id, frame, frame_out)
    output: Path
    stdout: str


def publish(env: Dict[str, str], frames: Path, task: str) -> Dict[str, Any]:
    done = run(
        env, "publish", str(frames), "--task", task, "--review-session", SESSION,
        "--fps", str(RATE), "--asset", "sh010_comp", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def leave_feedback(
    session: Any, review_session: Any
) -> Tuple[List[str], Dict[str, Tuple[str, int]]]:
    """Notes, a reply, two drawings and a verdict through the review page, as an invitee."""
    invitee = session.create(
        "ReviewSessionInvitee",
        {"review_session": review_session, "name": "Ana Lee", "email": "ana@studio.example"},
    )
    session.commit()
    room = link(session, invitee)
    items = sorted(
        session.query(
            "select id, sort_order from ReviewSessionObject "
            f'where review_session_id is "{review_session["id"]}"'
        ).all(),
        key=lambda o: o["sort_order"] or 0,
    )
    v1, v2 = items[0]["id"], items[1]["id"]
    made: Dict[str, Tuple[str, int]] = {}
    for object_id, frame, text in (
        (v1, 1003, "blocking: arm pops"),
        (v2, 1010, 'the <b>arc</b> & "timing" read well'),
        (v2, FIRST + FRAMES - 1, "last frame holds too long"),
    ):
        answer = room.post("/notes", {"object_id": object_id, "content": text, "frame": frame})
        assert answer.status_code == 201, answer.text
        made[answer.json()["id"]] = (object_id, frame)
    first_note = next(iter(made))
    reply = room.post("/notes", {"in_reply_to_id": first_note, "content": "fixed in v002"})
    assert reply.status_code == 201, reply.text
    for object_id, frame, text in ((v2, 1020, "hold this pose"), (v1, 1030, "")):
        drawn = room.post(
            "/annotations",
            {
                "object_id": object_id,
                "frame": frame,
                "png": data_url(top_stroke()),
                "content": text,
            },
        )
        assert drawn.status_code == 201, drawn.text
        made[drawn.json()["id"]] = (object_id, frame)
    verdict = room.post("/status", {"object_id": v2, "status": "approved"})
    assert verdict.status_code == 200, verdict.text
    return [v1, v2], made


@attr.s(auto_attribs=True)
class Dailies:
    """Two versions published, the feedback of :func:`leave_feedback` on them."""

    env: Dict[str, str]
    project: str
    objects: List[str]  # ReviewSessionObject ids, v001 then v002
    made: Dict[str, Tuple[str, int]]  # note id -> (object id, frame)
    held: str  # the drawing held over 1020-1023


def publish_dailies(
    embedded_server: Any,
    root: Path,
    more: Callable[[Any, Any, List[str]], object] = lambda *_a: None,
) -> Dailies:
    """:class:`Dailies` published on ``embedded_server`` (``more(session, review_session,
    objects)`` leaves more feedback)."""
    env = dict(
        embedded_server.env,
        FTRACK_API_SCHEMA_CACHE_PATH=str(root / "schemas"),
        FT_DCC_QUEUE_DIR=str(root / "queue"),
        PYBLISHPLUGINPATH="",
    )
    with open_session(embedded_server, root) as session:
        task = make_task(
            session, f"ex{uuid.uuid4().hex[:8]}", fstart=FIRST, fend=FIRST + FRAMES - 1, fps=RATE
        )
        project = task.split("/")[0]
        for version in (1, 2):
            publish(env, coded_frames(root / f"v{version}", version), task)
        review_session = session.query(
            f'select id, name from ReviewSession where name is "{SESSION}" '
            f'and project.name is "{project}"'
        ).one()
        objects, made = leave_feedback(session, review_session)
        held = next(n for n, (_o, frame) in made.items() if frame == 1020)
        session.create(  # held over 1020-1023 (the drawings stream's frame_out metadata)
            "Metadata",
            {"parent_id": held, "parent_type": "Note", "key": "frame_out", "value": "1023"},
        )
        session.commit()
        more(session, review_session, objects)
    return Dailies(env, project, objects, made, held)


@pytest.fixture(scope="module")
def exported(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    root = tmp_path_factory.mktemp("export")
    dailies = publish_dailies(embedded_server, root)
    env, project, held = dailies.env, dailies.project, dailies.held
    output = root / "out"
    done = run(env, "review", "export", SESSION, "--project", project, "--output", str(output))
    assert done.returncode == 0, done.stdout + done.stderr
    notes = {n: (o, f, 1023 if n == held else f) for n, (o, f) in dailies.made.items()}
    yield Exported(env, project, dailies.objects, notes, output, done.stdout)


def markers_by_note(timeline: Any) -> Dict[str, Tuple[str, Any]]:
    found = {}
    for clip in timeline.tracks[0]:
        for marker in clip.markers:
            found[marker.metadata["ft_dcc"]["id"]] = (clip.name, marker)
    return found


def test_every_note_is_a_marker_at_its_frame(exported: Exported) -> None:
    assert "2 version(s), 5 note(s), 5 frame picture(s)" in exported.stdout
    timeline = otio.adapters.read_from_file(str(exported.output / "session.otio"))
    assert timeline.name == SESSION
    clips = list(timeline.tracks[0])
    assert [c.name for c in clips] == ["sh010_comp v001", "sh010_comp v002"]
    for clip in clips:
        available = clip.media_reference.available_range
        assert available.start_time.to_frames() == FIRST and available.start_time.rate == RATE
        assert available.duration.to_frames() == FRAMES
        assert clip.source_range == available
        movie = exported.output / clip.media_reference.target_url
        assert movie.is_file() and movie.stat().st_size > 0
    markers = markers_by_note(timeline)
    assert set(markers) == set(exported.notes)
    for note_id, (clip_name, marker) in markers.items():
        _object, frame, last = exported.notes[note_id]
        start = marker.marked_range.start_time
        assert (start.to_frames(), start.rate) == (frame, RATE), (clip_name, marker.name)
        if last == frame:  # a point at the frame
            assert marker.marked_range.duration.to_frames() == 0
        else:  # a drawing held over frames covers them
            assert marker.marked_range.end_time_inclusive().to_frames() == last
        assert clip_name.endswith("v001" if _object == exported.objects[0] else "v002")
    arm = next(m for _c, m in markers.values() if m.name == "blocking: arm pops")
    assert [r["content"] for r in arm.metadata["ft_dcc"]["replies"]] == ["fixed in v002"]
    held = next(m for _c, m in markers.values() if m.name == "hold this pose")
    assert held.color == "RED" and held.marked_range.duration.to_frames() == 4
    drawing = exported.output / held.metadata["ft_dcc"]["drawing_files"][0]
    assert drawing.read_bytes() == top_stroke()
    v2 = clips[1].metadata["ft_dcc"]
    assert [(v["reviewer"], v["status"]) for v in v2["verdicts"]] == [("Ana Lee", "approved")]
    assert v2["status"] and v2["task_status"]  # the workflow's names, whatever they are
    assert list(clips[0].metadata["ft_dcc"]["verdicts"]) == []


def test_otiocat_reads_it_back(exported: Exported) -> None:
    otiocat = Path(sys.executable).with_name("otiocat")
    done = subprocess.run(
        [str(otiocat), str(exported.output / "session.otio")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"OTIO_SCHEMA": "Marker.2"' in done.stdout and "hold this pose" in done.stdout


def frame_of(png: Path) -> Tuple[int, int]:
    decoded = decode_rgba(png.read_bytes())
    width, height = decoded[0], decoded[1]
    levels = [sum(pixel(decoded, int(c * width), height // 2)[:3]) // 3 for c in CENTRES]
    code = decode_levels(levels)
    assert code is not None, (png, levels)
    return code


def test_frame_pictures_show_the_noted_frame_with_its_drawing(exported: Exported) -> None:
    pictures = sorted((exported.output / "frames").glob("*.png"))
    assert len(pictures) == len(exported.notes)
    shown = {frame_of(p) for p in pictures}
    expected = {(1 if o == exported.objects[0] else 2, f) for o, f, _l in exported.notes.values()}
    assert shown == expected
    for picture in pictures:
        decoded = decode_rgba(picture.read_bytes())
        top = pixel(decoded, decoded[0] // 2, round(2.5 * decoded[1] / CANVAS[1]))
        drawn = "_1020_" in picture.name or "_1030_" in picture.name
        is_red = top[0] > 180 and top[1] < 80 and top[2] < 80
        assert is_red == drawn, (picture.name, top)


@pytest.mark.browser
def test_the_report_in_chromium(exported: Exported, page: Any, artifacts_dir: Path) -> None:
    report = exported.output / "notes.html"
    page.goto(report.as_uri())
    images = page.locator("article.note img")
    assert images.count() == len(exported.notes)
    sizes = page.evaluate(
        "() => [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    assert all(done and width > 0 and height > 0 for done, width, height in sizes), sizes
    text = page.locator("body").inner_text()
    assert 'the <b>arc</b> & "timing" read well' in text  # shown as text, never as markup
    assert page.locator("b", has_text="arc").count() == 0
    assert "frames 1020-1023" in text and "Approved: Ana Lee" in text
    page.screenshot(path=str(artifacts_dir / "review-export-notes.png"), full_page=True)
    pdf = page.pdf(path=str(artifacts_dir / "review-export-notes.pdf"), print_background=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) >= 2  # a page per version


def test_without_opentimelineio_one_line_says_what_to_install(
    exported: Exported, tmp_path: Path
) -> None:
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "opentimelineio.py").write_text("raise ImportError('not installed')\n")
    env = dict(exported.env, PYTHONPATH=str(blocker))
    output = tmp_path / "none"
    done = run(
        env, "review", "export", SESSION, "--project", exported.project, "--output", str(output)
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "pip install 'ft-dcc[review]'" in done.stderr and "OpenTimelineIO" in done.stderr
    assert not output.exists()  # nothing fetched


def test_a_fixed_number_of_requests(
    exported: Exported, embedded_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export's API requests do not grow with its notes: counted at the transport."""
    from ft_dcc.review.export import export_session
    from ft_dcc.review.names import find_project, resolve_session

    with open_session(embedded_server, tmp_path) as session:
        target = resolve_session(session, SESSION, find_project(session, exported.project))
        sent: List[int] = []
        transport = session._transport
        original = transport.call
        monkeypatch.setattr(
            transport, "call", lambda ops, **kw: sent.append(len(ops)) or original(ops, **kw)
        )
        result = export_session(session, target, tmp_path / "again")
    assert result.notes == len(exported.notes) and result.frames == 5
    print(f"export: {len(sent)} API requests, {sum(sent)} operations")
    assert len(sent) <= 10, sent
