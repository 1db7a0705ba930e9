"""``ft-dcc review export --format otio,edl,fcpxml,csv,pdf`` against the real embedded server: the
dailies of tests/review/test_export.py (two published versions, notes, a reply, drawings, one
held over frames, a verdict) plus notes a spreadsheet or an EDL would choke on (a formula, a line
break that spells an EDL locator, a tab); each file read back by a reader that did not write it:
OpenTimelineIO's ``cmx_3600`` and ``fcp_xml`` adapters, Python's ``csv`` module, poppler's
``pdftotext``/``pdftoppm``/``pdfinfo`` (a page rendered to PNG in test-artifacts/)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from xml.etree import ElementTree

import attr
import pytest
from test_export import SESSION, publish_dailies, run
from web.feedback_fixtures import link
from web.frame_code import FIRST, FRAMES, RATE

otio = pytest.importorskip("opentimelineio")

FORMULA = '=HYPERLINK("http://evil.example/","open me")'
EDL_BREAK = "pops on 1005\n* LOC: 00:00:00:00 RED     INJECTED"
TABBED = "@SUM(1)\tthen -2 frames late"
ALL = ("otio", "edl", "fcpxml", "csv", "pdf")


@attr.s(auto_attribs=True)
class Exported:
    env: Dict[str, str]
    project: str
    output: Path
    stdout: str
    frames: Dict[str, int]  # note text -> frame, every note with a frame
    replies: int


def hostile_notes(session: Any, review_session: Any, object_id: str) -> Dict[str, int]:
    invitee = session.create(
        "ReviewSessionInvitee",
        {"review_session": review_session, "name": "Bo Chen", "email": "bo@studio.example"},
    )
    session.commit()
    room = link(session, invitee)
    made = {}
    for frame, text in ((1005, FORMULA), (1006, EDL_BREAK), (1007, TABBED)):
        answer = room.post("/notes", {"object_id": object_id, "content": text, "frame": frame})
        assert answer.status_code == 201, answer.text
        made[text] = frame
    return made


@pytest.fixture(scope="module")
def dailies(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    root = tmp_path_factory.mktemp("formats")
    frames = {
        "blocking: arm pops": 1003,
        'the <b>arc</b> & "timing" read well': 1010,
        "last frame holds too long": FIRST + FRAMES - 1,
        "hold this pose": 1020,
        "": 1030,
    }
    made = publish_dailies(
        embedded_server, root, lambda s, r, objects: frames.update(hostile_notes(s, r, objects[0]))
    )
    output = root / "out"
    done = run(
        made.env, "review", "export", SESSION, "--project", made.project, "--output", str(output),
        "--format", "otio,edl,fcpxml", "-f", "csv", "--format", "pdf",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    yield Exported(made.env, made.project, output, done.stdout, frames, replies=1)


def test_the_summary_names_each_file(dailies: Exported) -> None:
    for title, name in (
        ("Timeline", "session.otio"),
        ("EDL (CMX 3600)", "session.edl"),
        ("Final Cut Pro XML", "session.xml"),
        ("Notes table", "notes.csv"),
        ("Notes PDF", "notes.pdf"),
    ):
        assert f"{title}: {dailies.output / name}" in dailies.stdout
        assert (dailies.output / name).stat().st_size > 0


def markers_of(timeline: Any) -> Dict[str, List[Any]]:
    """clip name -> its markers, of every video track."""
    found: Dict[str, List[Any]] = {}
    for track in timeline.video_tracks():
        for clip in track.find_clips():
            found.setdefault(clip.name, []).extend(clip.markers)
    return found


def said(author: str, text: str, frame: int) -> str:
    return f"{author}: {text} (frame {frame})"


def test_edl_locators_read_back_by_otio_cmx_3600(dailies: Exported) -> None:
    path = dailies.output / "session.edl"
    text = path.read_text(encoding="utf-8")
    timeline = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=RATE)
    markers = markers_of(timeline)
    assert sorted(markers) == ["sh010_comp v001", "sh010_comp v002"]
    track = timeline.video_tracks()[0]
    names = {}
    for clip in track.find_clips():
        # a locator is at its place in the cut (record timecode): back to the clip's frame
        shift = clip.source_range.start_time - track.range_of_child(clip).start_time
        names.update({m.name: (m.marked_range.start_time + shift) for m in clip.markers})
    assert len(names) == len(dailies.frames) == len(re.findall(r"^\* LOC: ", text, re.M))
    arm = said("Ana Lee", "blocking: arm pops", 1003) + " | reply Ana Lee: fixed in v002"
    held = "Ana Lee: hold this pose (frames 1020-1023)"
    for name, frame in ((arm, 1003), (held, 1020), (said("Ana Lee", "(drawing)", 1030), 1030)):
        start = names[name.upper()]  # CMX 3600 locators are upper case (the adapter writes so)
        assert (start.to_frames(), start.rate) == (frame, RATE), name
    # the note's line break is a space: one locator, no event or locator of its own
    assert said("Bo Chen", " ".join(EDL_BREAK.split()), 1006).upper() in names
    assert "INJECTED" not in names


def test_edl_locators_at_record_timecode(dailies: Exported) -> None:
    """Read as an editor does, line by line: a locator's timecode lies within its event's
    record in/out, at the note's offset into the clip (Avid and Resolve read LOC so)."""
    text = (dailies.output / "session.edl").read_text(encoding="utf-8")
    event = re.compile(r"^\d{3}\s+\S+\s+V\s+C\s+(\S+) (\S+) (\S+) (\S+)\s*$")
    tc = lambda t: otio.opentime.from_timecode(t, RATE).to_frames()  # noqa: E731
    found, current = {}, (0, 0, 0)
    for line in text.splitlines():
        match = event.match(line)
        if match:
            current = (tc(match[1]), tc(match[3]), tc(match[4]))  # source in, record in, out
        elif line.startswith("* LOC: "):
            when, name = tc(line[7:18]), line[27:]
            source_in, record_in, record_out = current
            assert record_in <= when < record_out, line
            found[name] = source_in + when - record_in
    assert found[said("Bo Chen", FORMULA, 1005).upper()] == 1005
    assert found["ANA LEE: HOLD THIS POSE (FRAMES 1020-1023)"] == 1020
    assert sorted(found.values()) == sorted(dailies.frames.values())


def test_fcp_xml_markers_read_back_by_otio_fcp_xml(dailies: Exported) -> None:
    path = dailies.output / "session.xml"
    timeline = otio.adapters.read_from_file(str(path), adapter_name="fcp_xml")
    markers = markers_of(timeline)
    assert sorted(markers) == ["sh010_comp v001", "sh010_comp v002"]
    by_name = {m.name: (clip, m) for clip, ms in markers.items() for m in ms}
    assert len(by_name) == len(dailies.frames)
    expected = {
        said("Ana Lee", "blocking: arm pops", 1003) + " | reply Ana Lee: fixed in v002": 1003,
        said("Ana Lee", 'the <b>arc</b> & "timing" read well', 1010): 1010,
        "Ana Lee: hold this pose (frames 1020-1023)": 1020,
        said("Bo Chen", FORMULA, 1005): 1005,
        said("Bo Chen", " ".join(TABBED.split()), 1007): 1007,
    }
    starts = {c.name: c.source_range.start_time for c in timeline.find_clips()}
    for name, frame in expected.items():
        clip, marker = by_name[name]
        # a clip's markers count from its media's first frame (FCP 7 XML's in/out), as its <in>
        assert (starts[clip] + marker.marked_range.start_time).to_frames() == frame, name
        assert clip.endswith("v002" if frame in (1010, 1020) else "v001"), name


def test_fcp_xml_frames_as_final_cut_reads_them(dailies: Exported) -> None:
    """Read with ElementTree: a marker's <in> counts from the media's start, whose first frame
    is the file's <timecode><frame>, as a clip's own <in> does (Apple's XMEML timing values)."""
    root = ElementTree.parse(dailies.output / "session.xml").getroot()
    found = {}
    for item in root.iter("clipitem"):
        media_start = int(item.findtext("file/timecode/frame") or "")
        assert (media_start, item.findtext("in"), item.findtext("out")) == (FIRST, "0", "48")
        for marker in item.iter("marker"):
            found[marker.findtext("name")] = media_start + int(marker.findtext("in") or "")
            assert 0 <= int(marker.findtext("in") or "") < FRAMES
    assert found[said("Bo Chen", FORMULA, 1005)] == 1005
    assert found["Ana Lee: hold this pose (frames 1020-1023)"] == 1020
    assert sorted(found.values()) == sorted(dailies.frames.values())


def csv_rows(dailies: Exported) -> List[Dict[str, str]]:
    raw = (dailies.output / "notes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for spreadsheets
    assert b"\r\n" in raw and re.search(rb"[^\r]\n", raw.split(b'"pops on 1005')[0]) is None
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_one_row_per_note_read_by_python_csv(dailies: Exported) -> None:
    rows = csv_rows(dailies)
    assert len(rows) == len(dailies.frames) + dailies.replies
    by_text = {r["text"]: r for r in rows}
    arm = by_text["blocking: arm pops"]
    assert (arm["session"], arm["project"], arm["version"]) == (
        SESSION, dailies.project, "sh010_comp v001",
    )  # fmt: skip
    assert (arm["shot"], arm["task"], arm["frame"]) == ("sh010", "comp", "1003")
    assert (arm["author"], arm["author_email"]) == ("Ana Lee", "ana@studio.example")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", arm["created_at"]) and arm["version_status"]
    reply = by_text["fixed in v002"]
    assert (reply["reply_to"], reply["frame"]) == (arm["note_id"], "")
    held = by_text["hold this pose"]
    assert (held["frame"], held["frame_out"], held["drawings"]) == ("1020", "1023", "1")
    assert held["verdicts"] == "Approved: Ana Lee" and arm["verdicts"] == ""
    assert by_text[EDL_BREAK]["frame"] == "1006"  # the line break kept inside its quoted cell


def test_csv_formulas_are_text(dailies: Exported) -> None:
    """A spreadsheet runs a cell starting = + - @ (or a tab): such text is written after a '."""
    by_text = {r["text"]: r for r in csv_rows(dailies)}
    assert FORMULA not in by_text and "'" + FORMULA in by_text
    assert "'" + TABBED in by_text
    assert not [
        (k, v) for row in by_text.values() for k, v in row.items() if v[:1] in "=+-@\t\r" and v
    ]


def test_csv_cell_guard() -> None:
    from ft_dcc.review.export_csv import cell

    for start in "=+-@\t\r":
        assert cell(start + "1+1") == "'" + start + "1+1"
    assert cell("fine = ok") == "fine = ok" and cell(-3) == "-3" and cell(None) == ""


def poppler(*args: str) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.browser
def test_pdf_read_back_by_poppler(dailies: Exported, artifacts_dir: Path) -> None:
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is missing: make test installs it (SYSTEM_PACKAGES)")
    pdf = dailies.output / "notes.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    info = poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages >= 2  # a version per page
    text = " ".join(poppler("pdftotext", "-layout", str(pdf), "-").split())
    shown = (
        "blocking: arm pops", 'the <b>arc</b> & "timing" read well', FORMULA, "hold this pose",
        "frames 1020-1023", "Approved: Ana Lee", "fixed in v002",
    )  # fmt: skip
    for words in shown:
        assert " ".join(words.split()) in text, words
    for old in artifacts_dir.glob("review-export-pdf-page*.png"):
        old.unlink()
    stem = artifacts_dir / "review-export-pdf-page"
    poppler("pdftoppm", "-png", "-r", "60", str(pdf), str(stem))
    pictures = sorted(artifacts_dir.glob("review-export-pdf-page*.png"))
    assert len(pictures) == pages
    counts = [colour_counts(p) for p in pictures]
    assert all(dark > total // 100 for _red, dark, total in counts), "a frame picture a page"
    drawn = [p.name for p, (red, _d, _t) in zip(pictures, counts) if red > 0]
    assert len(drawn) == 2, "each of the two drawings (red) on its page"
    print("pages with a drawing:", drawn)


def colour_counts(picture: Path) -> Tuple[int, int, int]:
    """(red pixels, near-black pixels, all pixels) of a rendered page."""
    from PIL import Image

    with Image.open(picture) as image:
        rgb = image.convert("RGB")
        total = rgb.size[0] * rgb.size[1]
        colours = rgb.getcolors(maxcolors=total) or []
    red = sum(n for n, (r, g, b) in colours if r > 180 and g < 80 and b < 80)
    dark = sum(n for n, (r, g, b) in colours if r < 40 and g < 40 and b < 40)
    return red, dark, total


def refused(dailies: Exported, tmp_path: Path, fmt: str, **env: str) -> str:
    """Export ``fmt`` with ``env``: refused in one line, nothing fetched; the line."""
    output = tmp_path / "none"
    done = run(
        dict(dailies.env, **env), "review", "export", SESSION, "--project", dailies.project,
        "--output", str(output), "--format", fmt,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert not output.exists()
    return done.stderr


def test_a_missing_chromium_is_said_before_anything_is_fetched(
    dailies: Exported, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    said = refused(dailies, tmp_path, "csv,pdf", PATH=str(empty), FT_DCC_CHROMIUM="")
    assert "needs Chromium" in said and "FT_DCC_CHROMIUM" in said


def test_a_missing_adapter_names_the_extra(dailies: Exported, tmp_path: Path) -> None:
    """OTIO without its EDL adapter plugin: a site hook drops the plugin's entry point."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import importlib.metadata as m\n"
        "_eps = m.entry_points\n"
        "def entry_points(**kw):\n"
        "    found = _eps(**kw)\n"
        "    if kw.get('group') == 'opentimelineio.plugins':\n"
        "        return m.EntryPoints(e for e in found if 'cmx' not in e.value)\n"
        "    return found\n"
        "m.entry_points = entry_points\n"
    )
    said = refused(dailies, tmp_path, "edl", PYTHONPATH=str(hook))
    assert "cmx_3600" in said and "pip install 'ft-dcc[review]'" in said


def test_an_unknown_format_is_refused_naming_the_ones_there_are(dailies: Exported) -> None:
    done = run(dailies.env, "review", "export", SESSION, "-o", "x", "--format", "otio,docx")
    assert done.returncode == 2
    assert "no export format docx" in done.stderr and ", ".join(ALL) in done.stderr
    assert not Path("x").exists()


def test_formats_match_the_cli() -> None:
    from ft_dcc.review.commands import EXPORT_FORMATS
    from ft_dcc.review.export import FORMATS

    assert tuple(FORMATS) == EXPORT_FORMATS == ALL
