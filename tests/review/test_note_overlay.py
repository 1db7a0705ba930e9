"""Drawings back in the DCC, host-agnostic part, on the real embedded server:
a note's drawing held over frames is downloaded once as a PNG with its frames; the views mark the
feedback of a version the artist has since replaced "addressed in v003?" and give the review
page comparing the two; ``ft-dcc review feedback`` says the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from support import make_task, open_session
from support.drawings import FIRST, LAST, cross_png, seed_drawing

from ft_dcc.exceptions import FeedbackError
from ft_dcc.host.feedback import NOTE, FeedbackRow, compare_url, fetch_task_feedback
from ft_dcc.host.overlay import http_download, note_overlays
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review.cli import feedback_lines
from ft_dcc.review.feedback import session_feedback


def seeded(server: Any, cache: Path) -> Tuple[Any, str, Dict[str, Any]]:
    session = open_session(server, cache)
    path = make_task(session, fstart=1001, fend=1012)
    task = resolve_task(session, None, path)
    ids = seed_drawing(session, session.get("Project", task["project_id"]), task)
    return session, path, ids


def held_row(rows: List[FeedbackRow]) -> FeedbackRow:
    return next(r for r in rows if r.kind == NOTE and r.content == "hold the pose")


def test_a_replaced_versions_feedback_says_addressed_and_compares(
    embedded_server: Any, tmp_path: Path
) -> None:
    session, path, ids = seeded(embedded_server, tmp_path / "cache")
    found = fetch_task_feedback(path, session)
    assert [(v.version, v.addressed_hint) for v in found.versions] == [
        (3, ""),
        (2, "addressed in v003?"),
    ]  # v003 is not reviewed yet; v001's feedback stays hidden behind v002's
    rows = found.rows()
    assert rows[0].label == "sh010_anim v003  (Feedback)" and rows[1].text == "no feedback yet"
    assert rows[2].label == "sh010_anim v002  (Feedback)  addressed in v003?"
    assert rows[2].compare == (ids["v002"], ids["v003"])
    row = held_row(rows)
    assert (row.frame, row.frame_out, len(row.drawing_urls)) == (FIRST, LAST, 1)
    assert row.compare == (ids["v002"], ids["v003"])

    url = compare_url(session, *row.compare)
    assert url.endswith(f"#compare={ids['v003_object']},{ids['v002_object']}")
    assert url.startswith(embedded_server.url) and "token=" in url

    lines = feedback_lines("Feedback", session_feedback(session, ids["review_session"]["id"]))
    assert "sh010_anim v002  (addressed in v003?)" in lines
    assert f"  [frames {FIRST}-{LAST}] Ana Lee: hold the pose" in lines
    assert "sh010_anim v003" in lines  # the newest: nothing to address


def test_the_drawing_downloads_once_with_its_frames(embedded_server: Any, tmp_path: Path) -> None:
    session, path, _ids = seeded(embedded_server, tmp_path / "cache")
    row = held_row(fetch_task_feedback(path, session).rows())
    calls = []
    real = http_download(embedded_server.api_user, embedded_server.api_key)

    def counted(url: str, target: Path) -> None:
        calls.append(url)
        real(url, target)

    (overlay,) = note_overlays(row, counted, tmp_path / "drawings")
    assert overlay.path.read_bytes() == cross_png()
    assert [f for f in range(FIRST - 2, LAST + 3) if overlay.covers(f)] == list(
        range(FIRST, LAST + 1)
    )
    assert note_overlays(row, counted, tmp_path / "drawings") == [overlay]
    assert len(calls) == 1  # kept, not downloaded again


def test_a_drawing_that_is_not_there_or_not_a_png_is_refused(
    embedded_server: Any, tmp_path: Path
) -> None:
    session, path, _ids = seeded(embedded_server, tmp_path / "cache")
    rows = fetch_task_feedback(path, session).rows()
    arc = next(r for r in rows if r.kind == NOTE and r.content == "nice arc, keep it")
    folder = tmp_path / "drawings"
    download = http_download(embedded_server.api_user, embedded_server.api_key)
    with pytest.raises(FeedbackError, match="did not download"):
        note_overlays(arc, download, folder)  # a NoteComponent without a file
    with pytest.raises(FeedbackError, match="not a PNG"):
        note_overlays(held_row(rows), lambda url, target: target.write_bytes(b"<html>"), folder)
    assert [p for p in folder.iterdir() if p.suffix == ".png"] == []
    download_ok = http_download(embedded_server.api_user, embedded_server.api_key)

    def tampered(url: str, target: Path) -> None:  # a drawing URL is signed: a forged one fails
        download_ok(url.replace("token=", "token=forged"), target)

    with pytest.raises(FeedbackError, match="did not download"):
        note_overlays(held_row(rows), tampered, folder)


def test_drawings_are_kept_in_the_users_own_cache_folder_not_the_shared_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user of the machine can make a folder in the shared temp dir first (or a link
    named like a drawing's ``.part`` file in it), and so choose what the artist's viewport shows
    or what a download overwrites. The default folder is the user's own cache folder, made
    private (0700)."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(shared))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    row = FeedbackRow(kind=NOTE, text="Ana: here", note_id="n1", frame=5, frame_out=7,
                      drawing_urls=("http://server/component/get?id=abc",))  # fmt: skip

    def download(url: str, target: Path) -> None:
        target.write_bytes(cross_png())

    [overlay] = note_overlays(row, download)

    assert list(shared.iterdir()) == []
    folder = overlay.path.parent
    assert folder.is_relative_to(tmp_path / "home" / ".cache")
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert overlay.path.read_bytes() == cross_png() and (overlay.first, overlay.last) == (5, 7)
