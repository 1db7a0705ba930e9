"""``ft-dcc review export SESSION --output DIR [--format otio,edl,fcpxml,csv,pdf]``: take a
review session away.

Writes into DIR, for the formats asked (``otio`` when none is):

- ``session.otio``: the session as an OpenTimelineIO timeline (:mod:`~ft_dcc.review.export_otio`);
- ``session.edl`` / ``session.xml``: the notes as markers in the cut, a CMX 3600 EDL / a Final Cut
  Pro 7 XML, through OTIO's adapters (:mod:`~ft_dcc.review.export_markers`);
- ``notes.csv``: one row per note (:mod:`~ft_dcc.review.export_csv`);
- ``notes.pdf``: the notes report printed by Chromium (:mod:`~ft_dcc.review.export_pdf`);

and always:

- ``notes.html``: the notes report, each annotated frame as a picture
  (:mod:`~ft_dcc.review.export_html`), printable to PDF from a browser;
- ``media/``: each version's review movie, or a still's picture (the timeline's clips point at
  them);
- ``drawings/``: the reviewers' drawings (PNG, as drawn);
- ``frames/``: each note's frame taken from the movie with its drawings over it; a note on a
  still: the still with the note's drawings over it.

Read with standard ftrack queries (:mod:`~ft_dcc.review.export_read`); the files come from the
server's ``/component/get``. Every file name made from the server's data (labels, note ids, a
component's ``file_type``) is confined to its folder (:mod:`ft_dcc.safe_paths`): a hostile name
writes nothing outside DIR. What a format needs (OpenTimelineIO and its adapters, Chromium) is
checked for before anything is downloaded.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Dict, List, Optional, Protocol, Sequence
from urllib.parse import parse_qs, urlparse

import attr

from ft_dcc.exceptions import ConfigurationError, MediaError
from ft_dcc.media.probe import probe_movie
from ft_dcc.review.export_csv import write_csv
from ft_dcc.review.export_frames import download, frame_image, still_image
from ft_dcc.review.export_html import report_html
from ft_dcc.review.export_markers import check_adapter, write_markers
from ft_dcc.review.export_otio import load_otio, write_timeline
from ft_dcc.review.export_pdf import find_chromium, print_pdf
from ft_dcc.review.export_read import ExportSession, ExportVersion, read_export
from ft_dcc.safe_paths import confined, safe_suffix
from ft_dcc.session.interface import EntityLike, PublishSession, ServerLogin

log = logging.getLogger(__name__)

TIMELINE = "session.otio"
REPORT = "notes.html"
#: ``--format`` -> the file it writes in DIR (``otio`` when none is asked)
FORMATS = {
    "otio": TIMELINE,
    "edl": "session.edl",
    "fcpxml": "session.xml",
    "csv": "notes.csv",
    "pdf": "notes.pdf",
}


class ExportingSession(PublishSession, ServerLogin, Protocol):
    """An export reads the session's feedback and downloads its movies and drawings."""


@attr.s(auto_attribs=True, kw_only=True)
class ExportResult:
    output: Path
    report: Path
    files: Dict[str, Path] = attr.Factory(dict)  # format -> the file written
    versions: int = 0
    notes: int = 0
    frames: int = 0
    skipped: List[str] = attr.Factory(list)  # what could not be shown, and why


def _file(output: Path, folder: str, name: str, suffix: str = "") -> str:
    """``folder/<name><suffix>`` relative to ``output``, the name made from server data (labels,
    note ids, file types) confined to that folder (:func:`ft_dcc.safe_paths.confined`)."""
    path = confined(output / folder, name, suffix, fallback="version")
    return f"{folder}/{path.name}"


def _component_id(url: str) -> str:
    return (parse_qs(urlparse(url).query).get("id") or [""])[0]


def _fetch_movies(session: ServerLogin, data: ExportSession, output: Path) -> Dict[str, str]:
    """Each version's review movie in ``output/media``: version id -> relative path."""
    files = {}
    for version in data.versions:
        media, version_id = version.movie or version.still, version.feedback.version_id
        if media is None or not version_id:
            continue
        default = ".mp4" if version.movie else ".png"
        name = _file(output, "media", version.label, safe_suffix(media.file_type) or default)
        download(session, media.component_id, output / name)
        files[version_id] = name
    return files


def _fetch_drawings(
    session: ServerLogin, data: ExportSession, output: Path
) -> Dict[str, List[str]]:
    """Each note's drawings in ``output/drawings``: note id -> relative paths."""
    files: Dict[str, List[str]] = {}
    for version in data.versions:
        for note in version.feedback.notes:
            for number, url in enumerate(note.drawings, 1):
                component_id = _component_id(url)
                if not component_id:
                    continue
                name = _file(output, "drawings", f"{version.label}_{note.id[:8]}_{number}", ".png")
                download(session, component_id, output / name)
                files.setdefault(note.id, []).append(name)
    return files


def _frames_of(
    version: ExportVersion, movie_file: str, drawings: Dict[str, List[str]], result: ExportResult
) -> Dict[str, str]:
    movie = version.movie
    assert movie is not None
    output = result.output
    info = probe_movie(output / movie_file)
    images = {}
    for note in version.feedback.notes:
        if note.frame is None:
            continue
        index = movie.index_of(note.frame)
        if index is None or index >= info.frame_count:
            result.skipped.append(
                f"{version.label}: frame {note.frame} is outside its movie "
                f"({movie.first}-{movie.last}); the note is listed without a picture"
            )
            continue
        name = _file(output, "frames", f"{version.label}_{note.frame}_{note.id[:8]}", ".png")
        layers = [output / d for d in drawings.get(note.id, [])]
        frame_image(output / movie_file, info, index, layers, output / name)
        images[note.id] = name
    return images


def _pictures_of(
    version: ExportVersion, still_file: str, drawings: Dict[str, List[str]], output: Path
) -> Dict[str, str]:
    """A still's notes: each shows the still with its own drawings over it (no frame)."""
    still = version.still
    assert still is not None
    images = {}
    for note in version.feedback.notes:
        name = _file(output, "frames", f"{version.label}_still_{note.id[:8]}", ".png")
        layers = [output / d for d in drawings.get(note.id, [])]
        still_image(output / still_file, still.width, still.height, layers, output / name)
        images[note.id] = name
    return images


def _make_frames(
    data: ExportSession,
    movies: Dict[str, str],
    drawings: Dict[str, List[str]],
    result: ExportResult,
) -> Dict[str, str]:
    images: Dict[str, str] = {}
    for version in data.versions:
        movie_file = movies.get(version.feedback.version_id or "")
        if movie_file is None:
            if any(n.frame is not None for n in version.feedback.notes):
                result.skipped.append(
                    f"{version.label}: no review movie; notes listed without pictures"
                )
            continue
        try:
            if version.still is not None:
                images.update(_pictures_of(version, movie_file, drawings, result.output))
                continue
            images.update(_frames_of(version, movie_file, drawings, result))
        except MediaError as exc:
            result.skipped.append(f"{version.label}: {exc.message}")
    return images


def _check_needs(formats: Sequence[str]) -> Optional[str]:
    """Say what a format needs and lacks before anything is fetched; Chromium's path for a PDF."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ConfigurationError(
            f"no export format {', '.join(unknown)}", hint=f"use one of {', '.join(FORMATS)}"
        )
    if {"otio", "edl", "fcpxml"} & set(formats):
        load_otio()
    for fmt in ("edl", "fcpxml"):
        if fmt in formats:
            check_adapter(fmt)
    return find_chromium() if "pdf" in formats else None


def _write_formats(
    formats: Sequence[str],
    data: ExportSession,
    result: ExportResult,
    movies: Dict[str, str],
    drawings: Dict[str, List[str]],
    chromium: Optional[str],
) -> None:
    for fmt in dict.fromkeys(formats):  # each once, in the order asked
        path = result.output / FORMATS[fmt]
        if fmt == "otio":
            write_timeline(data, path, movies, drawings)
        elif fmt in ("edl", "fcpxml"):
            write_markers(fmt, data, path, movies, drawings)
        elif fmt == "csv":
            write_csv(data, path)
        else:
            print_pdf(result.report, path, chromium)
        result.files[fmt] = path


def export_session(
    session: ExportingSession,
    review_session: EntityLike,
    output: Path,
    now: Optional[_dt.datetime] = None,
    formats: Sequence[str] = ("otio",),
) -> ExportResult:
    """Write the export of ``review_session`` (read with ``project.name``) into ``output``: the
    notes report, media, drawings and frames, and each of ``formats`` (keys of :data:`FORMATS`)."""
    chromium = _check_needs(formats)  # a missing package or program is said before any fetch
    data = read_export(session, review_session)
    output.mkdir(parents=True, exist_ok=True)
    result = ExportResult(output=output, report=output / REPORT)
    movies = _fetch_movies(session, data, output)
    drawings = _fetch_drawings(session, data, output)
    images = _make_frames(data, movies, drawings, result)
    when = (now or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    result.report.write_text(report_html(data, images, when), encoding="utf-8")
    _write_formats(formats, data, result, movies, drawings, chromium)
    result.versions = len(data.versions)
    result.notes = sum(len(v.feedback.notes) for v in data.versions)
    result.frames = len(images)
    return result
