"""What reviewers said about the current task's latest versions, for the DCC feedback views.

The Blender panel, the Maya window and the Nuke panel all show the same thing: for each asset
the task published, its latest version's review feedback (every reviewer's status, then the
notes in timeline order, replies under their note), and, when the latest version has not been
reviewed yet, the feedback on the last version that was, marked "addressed in v003?" (with the
two versions to compare in the review page: :func:`compare_url`). :func:`fetch_task_feedback`
reads it with standard ftrack queries into plain value objects; :meth:`TaskFeedback.rows`
flattens it into the lines a host lists, each note row carrying the frames to jump to and its
drawings (shown over the viewport by ``ft_dcc.host.overlay`` and the hosts' overlay modules).
The hosts only draw rows, set their timeline and lay drawings over their viewport.
"""

from __future__ import annotations

import json
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import attr

from ft_dcc.protocol import CAPTURE_META_KEY, REVIEW_COMPONENT_IMAGE, REVIEW_COMPONENT_MP4
from ft_dcc.protocol.query_text import quote
from ft_dcc.review.feedback import FeedbackNote, VersionFeedback, by_frame, status_word
from ft_dcc.session.interface import PublishSession

VERSION, STATUS, NOTE, EMPTY = "version", "status", "note", "empty"


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class FeedbackRow:
    """One line of a feedback view; a note's ``frame`` is where choosing it moves the timeline."""

    kind: str  # VERSION | STATUS | NOTE | EMPTY
    text: str
    frame: Optional[int] = None
    depth: int = 0  # 1 for a reply
    drawings: int = 0  # how many drawings the note has
    author: str = ""  # a note's author and content, for views that lay them out apart
    content: str = ""
    note_id: str = ""
    frame_out: Optional[int] = None  # the last frame a note's drawing is held to
    drawing_urls: Tuple[str, ...] = ()  # the note's drawings (PNG downloads on the server)
    #: (this version's id, the newer version's id) when the asset has a newer version
    compare: Optional[Tuple[str, str]] = None
    #: the camera a note's version was captured through (its drawing shows over that camera's
    #: view only); None when the version does not say (a movie, an older publish)
    camera: Optional[str] = None

    @property
    def label(self) -> str:
        """The row as one line of plain text (frame first for notes)."""
        if self.kind != NOTE:
            return self.text if self.kind == VERSION else f"  {self.text}"
        frame = f"{self.frame:>6}" if self.frame is not None else "     -"
        return f"{frame}  {'  ' * self.depth}{self.text}"


@attr.s(auto_attribs=True, kw_only=True)
class TaskFeedback:
    """The feedback on a task's latest versions."""

    task: str  # the task's path, "Project/Seq/Shot/Task"
    versions: List[VersionFeedback] = attr.Factory(list)
    #: version id -> the camera it was captured through (:func:`captured_cameras`)
    cameras: Dict[str, str] = attr.Factory(dict)

    def rows(self) -> List[FeedbackRow]:
        rows: List[FeedbackRow] = []
        for version in self.versions:
            compare = _compare(version)
            rows.append(FeedbackRow(kind=VERSION, text=_version_title(version), compare=compare))
            rows += [
                FeedbackRow(kind=STATUS, text=f"{status_word(s.status)}: {s.reviewer or s.email}")
                for s in version.statuses
            ]
            camera = self.cameras.get(version.version_id or "")
            for note in by_frame(version.notes):
                rows += _note_rows(note, 0, compare, camera)
            if not version.statuses and not version.notes:
                rows.append(FeedbackRow(kind=EMPTY, text="no feedback yet"))
        if not rows:
            rows.append(FeedbackRow(kind=EMPTY, text="nothing published for review yet"))
        return rows


def _version_title(version: VersionFeedback) -> str:
    where = f"  ({version.review_session})" if version.review_session else ""
    hint = f"  {version.addressed_hint}" if version.addressed_hint else ""
    return f"{version.label}{where}{hint}"


def _compare(version: VersionFeedback) -> Optional[Tuple[str, str]]:
    if version.version_id and version.newer_version_id:
        return version.version_id, version.newer_version_id
    return None


def _note_rows(
    note: FeedbackNote,
    depth: int,
    compare: Optional[Tuple[str, str]] = None,
    camera: Optional[str] = None,
) -> List[FeedbackRow]:
    count = len(note.drawings)
    drawn = f" [{count} drawing{'s' * (count > 1)}]" if count else ""
    author = note.author or "someone"
    row = FeedbackRow(
        kind=NOTE,
        text=f"{author}: {note.content}{drawn}",
        frame=note.frame,
        depth=depth,
        drawings=count,
        author=author,
        content=note.content,
        note_id=note.id,
        frame_out=note.frame_out,
        drawing_urls=tuple(note.drawings),
        compare=compare,
        camera=camera,
    )
    rows = [row]
    for reply in note.replies:
        rows += _note_rows(reply, depth + 1, compare, camera)
    return rows


def task_version_ids(session: PublishSession, task_id: str) -> List[str]:
    """The ids of the versions published from ``task_id``: per asset (by name), newest first."""
    rows = session.query(
        "select id, version, asset_id, asset.name from AssetVersion "
        f"where task_id is {quote(task_id)}"
    ).all()
    rows = sorted(rows, key=lambda v: (str(v["asset"]["name"]), -(v["version"] or 0)))
    return [v["id"] for v in rows]


def _shown(versions: List[VersionFeedback]) -> List[VersionFeedback]:
    """Per asset: its latest version, and the last reviewed one when the latest is not yet."""
    shown: List[VersionFeedback] = []
    reviewed: Dict[str, int] = {}  # asset -> the version whose feedback is shown
    latest: Dict[str, int] = {}
    for version in versions:  # newest first per asset
        number = version.version or 0
        latest.setdefault(version.asset, number)
        had = reviewed.get(version.asset)
        if number == latest[version.asset] or had is None or had == number:
            shown.append(version)
        if version.notes or version.statuses:
            reviewed.setdefault(version.asset, number)
    return shown


def fetch_task_feedback(
    task: Optional[str] = None,
    session: Optional[PublishSession] = None,
    make_session: Optional[Callable[[], PublishSession]] = None,
) -> TaskFeedback:
    """The feedback on the latest versions of ``task`` (an id or ``Project/Seq/Shot/Task``;
    default ``$FTRACK_CONTEXTID``). Opens a session from ``FTRACK_*`` unless one is given."""
    from ft_dcc.publish.context.tasks import parse_task_ref, resolve_task
    from ft_dcc.review.feedback import versions_feedback

    if session is None:
        from ft_dcc.session import Session

        opened = (make_session or Session)()
        try:
            return fetch_task_feedback(task, opened)
        finally:
            opened.close()
    task_id, task_path = parse_task_ref(task)
    entity = resolve_task(session, task_id, task_path)
    path = "/".join(item["name"] for item in entity["link"] or [])
    ids = task_version_ids(session, entity["id"])
    versions = versions_feedback(session, ids)
    order = {version_id: index for index, version_id in enumerate(ids)}
    versions.sort(key=lambda v: (order.get(v.version_id or "", 0), v.review_session))
    shown = _shown(versions)
    cameras = captured_cameras(session, [v.version_id for v in shown if v.version_id])
    return TaskFeedback(task=path, versions=shown, cameras=cameras)


def captured_cameras(session: PublishSession, version_ids: Sequence[str]) -> Dict[str, str]:
    """version id -> the camera it was captured through, from its review component's capture
    record (``ft_dcc_capture``, written by the publish); versions that do not say are left out.
    One query for all of them, made with the feedback read (not on a host's click)."""
    if not version_ids:
        return {}
    wanted = ", ".join(quote(version_id) for version_id in dict.fromkeys(version_ids))
    components = session.query(
        "select version_id, metadata.key, metadata.value from Component "
        f"where name in ({quote(REVIEW_COMPONENT_MP4)}, {quote(REVIEW_COMPONENT_IMAGE)}) "
        f"and version_id in ({wanted})"
    ).all()
    cameras: Dict[str, str] = {}
    for component in components:
        camera = _camera((component["metadata"] or {}).get(CAPTURE_META_KEY))
        if camera is not None:
            cameras.setdefault(str(component["version_id"]), camera)
    return cameras


def _camera(capture: object) -> Optional[str]:
    try:
        data = json.loads(capture) if isinstance(capture, str) else capture
    except ValueError:
        return None
    camera = data.get("camera") if isinstance(data, dict) else None
    return str(camera) if camera else None


def compare_url(session: PublishSession, version_id: str, newer_id: str) -> str:
    """The review page showing ``newer_id`` compared with ``version_id``: the page of a review
    session holding both (``#compare=<newer object>,<older object>``), else the page of the
    one holding the older version; :class:`ReviewError` when neither is in a session."""
    from ft_dcc.exceptions import FeedbackError

    objects = session.query(
        "select id, version_id, review_session_id from ReviewSessionObject "
        f"where version_id in ({quote(version_id)}, {quote(newer_id)})"
    ).all()
    by_session: Dict[str, Dict[str, str]] = {}
    for obj in objects:
        by_session.setdefault(obj["review_session_id"], {})[obj["version_id"]] = obj["id"]
    both = [ids for ids in by_session.values() if len(ids) == 2]
    chosen = both[0] if both else next((i for i in by_session.values() if version_id in i), None)
    if chosen is None:
        raise FeedbackError(
            "That version is in no review session, so no review page can compare it.",
            hint="publish the newer version into the same review session to compare them",
        )
    rs_id = next(rs for rs, ids in by_session.items() if ids is chosen)
    review_session = session.query(f"select id from ReviewSession where id is {quote(rs_id)}").one()
    page = session.get_widget_url("review_session", entity=review_session)
    if newer_id in chosen:
        return f"{page}#compare={chosen[newer_id]},{chosen[version_id]}"
    return f"{page}#item-{chosen[version_id]}"


def note_frames(rows: Sequence[FeedbackRow]) -> List[Optional[int]]:
    """The frame of each row (None where choosing it moves nothing)."""
    return [row.frame if row.kind == NOTE else None for row in rows]


def open_compare(
    row: FeedbackRow,
    make_session: Optional[Callable[[], PublishSession]] = None,
    opener: Optional[Callable[[str], object]] = None,
) -> str:
    """Open the review page comparing ``row``'s version with the newer one (a row with
    ``compare``; the DCC panels' "Compare in review page"); the URL opened."""
    from ft_dcc.exceptions import FeedbackError

    if row.compare is None:
        raise FeedbackError("This version is the latest: there is nothing newer to compare.")
    if make_session is None:
        from ft_dcc.session import Session

        make_session = Session
    session = make_session()
    try:
        url = compare_url(session, *row.compare)
    finally:
        session.close()
    if opener is None:
        import webbrowser

        opener = webbrowser.open
    opener(url)
    return url
