"""The notes report of an export (``notes.html``): per version its statuses and verdicts, then
each note in frame order with the frame it is about as a picture (the drawing laid over it; on a
still, the still with the note's drawings),
its author, date and replies, and what it is: a to-do (open, or addressed and by which version)
or a comment. Plain HTML with relative image paths and a print style sheet, so a
browser prints it to PDF page by page (a note is never split across pages)."""

from __future__ import annotations

import html
from typing import Dict, List, Mapping, Optional

from ft_dcc.review.export_read import ExportSession, ExportVersion
from ft_dcc.review.feedback import FeedbackNote, by_frame, status_word

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1d1f23; margin: 24px auto;
       max-width: 1000px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 6px; }
.sub { color: #5b616e; margin: 0 0 16px; }
.version { border-top: 2px solid #1d1f23; padding-top: 4px; }
.facts span { display: inline-block; margin: 0 14px 4px 0; }
.verdict.approved { color: #0b7a55; } .verdict.require_changes { color: #b3261e; }
.note { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 14px;
        border: 1px solid #d5d8de; border-radius: 6px; padding: 10px; margin: 12px 0; }
.note.textonly { grid-template-columns: 1fr; }
.note img { width: 100%; height: auto; display: block; background: #000; }
.frame { font-weight: 600; } .meta { color: #5b616e; font-size: 12px; }
.content { white-space: pre-wrap; margin: 6px 0; }
.reply { border-left: 3px solid #d5d8de; padding-left: 8px; margin: 6px 0 0 4px; }
.state { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 4px;
         padding: 0 6px; margin-left: 8px; border: 1px solid currentColor; }
.state.open { color: #a15c00; } .state.addressed { color: #0b7a55; }
.state.comment { color: #5b616e; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  .version { break-before: page; } .version:first-of-type { break-before: auto; }
  .note { break-inside: avoid; page-break-inside: avoid; }
  @page { size: A4 landscape; margin: 12mm; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _when(iso: Optional[str]) -> str:
    """``2026-11-23T09:40:00+00:00`` as ``2026-11-23 09:40 UTC`` (the reader's dates are UTC)."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso and len(iso) >= 16 else (iso or "")


def _frames(note: FeedbackNote, version: ExportVersion) -> str:
    if version.still is not None:
        return "on the still"
    if note.frame is None:
        return "no frame"
    last = version.frame_out(note)
    return f"frame {note.frame}" if last in (None, note.frame) else f"frames {note.frame}-{last}"


def _reply(note: FeedbackNote) -> str:
    inner = "".join(_reply(r) for r in note.replies)
    return (
        f'<div class="reply"><div class="meta">{_e(note.author or "unknown")} · '
        f'{_e(_when(note.date))}</div><div class="content">{_e(note.content)}</div>{inner}</div>'
    )


def _state(note: FeedbackNote) -> str:
    """The note's tag: "To-do · open", "To-do · addressed in shot v002", or "Comment"."""
    if note.kind != "to-do":
        return '<span class="state comment">Comment</span>'
    said = "To-do · open"
    if note.state == "addressed":
        said = f"To-do · addressed{' in ' + note.addressed_by if note.addressed_by else ''}"
    return f'<span class="state {_e(note.state)}">{_e(said)}</span>'


def _note(note: FeedbackNote, version: ExportVersion, image: Optional[str]) -> str:
    picture = (
        f'<img src="{_e(image)}" alt="{_e(version.label)} {_e(_frames(note, version))}">'
        if image
        else ""
    )
    drawn = f" · {len(note.drawings)} drawing(s)" if note.drawings else ""
    text = (
        f'<div><div class="frame">{_e(_frames(note, version))}{_state(note)}</div>'
        f'<div class="meta">{_e(note.author or "unknown")} {_e(note.author_email)} · '
        f"{_e(_when(note.date))}{drawn}</div>"
        f'<div class="content">{_e(note.content)}</div>'
        + "".join(_reply(r) for r in note.replies)
        + "</div>"
    )
    kind = "note" if picture else "note textonly"
    return f'<article class="{kind}" data-note-id="{_e(note.id)}">{picture}{text}</article>'


def _version(version: ExportVersion, images: Mapping[str, str]) -> str:
    feedback = version.feedback
    facts = [f"<span>Status: <b>{_e(version.status or 'none')}</b></span>"]
    if version.task:
        facts.append(f"<span>Task {_e(version.task)}: <b>{_e(version.task_status)}</b></span>")
    if version.movie is not None:
        movie = version.movie
        facts.append(f"<span>Frames {movie.first}-{movie.last} at {movie.fps:g} fps</span>")
    if version.still is not None:
        size = f" {version.still.width} x {version.still.height} px" if version.still.width else ""
        facts.append(f"<span>Still{_e(size)}</span>")
    verdicts = [
        f'<span class="verdict {_e(s.status)}">{_e(status_word(s.status))}: '
        f"{_e(s.reviewer or s.email)}{' (studio)' if s.studio else ''}</span>"
        for s in feedback.statuses
    ] or ["<span>No verdict yet</span>"]
    notes = [_note(n, version, images.get(n.id)) for n in by_frame(feedback.notes)]
    return (
        f'<section class="version" data-version-id="{_e(feedback.version_id or "")}">'
        f"<h2>{_e(version.label)}</h2>"
        f'<div class="facts">{"".join(facts)}</div><div class="facts">{"".join(verdicts)}</div>'
        + ("".join(notes) or "<p>No notes.</p>")
        + "</section>"
    )


def report_html(session: ExportSession, images: Mapping[str, str], generated: str) -> str:
    """The report's text; ``images`` maps a note id to its frame picture's relative path."""
    body: List[str] = [_version(v, images) for v in session.versions]
    counts: Dict[str, int] = {
        "versions": len(session.versions),
        "notes": sum(len(v.feedback.notes) for v in session.versions),
    }
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(session.name)}: review notes</title><style>{STYLE}</style></head><body>"
        f"<h1>{_e(session.name)}</h1>"
        f'<p class="sub">Project {_e(session.project)} · {counts["versions"]} version(s), '
        f"{counts['notes']} note(s) · exported {_e(generated)}</p>"
        + ("".join(body) or "<p>This session has no versions.</p>")
        + "</body></html>\n"
    )
