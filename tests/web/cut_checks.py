""" "Play cut" read back from the pictures: a project of shots whose every frame codes its number
and a version code (:mod:`web.frame_code`), a session made from an EDL of them by
``ft-dcc review create --from-cut`` (as a Supervisor of the project: a studio member who is
neither administrator nor the session's maker's owner), and the page-side recorder that, while
the cut plays, reads the picture of the video made visible at each cut (at the moment it is
shown) and of every picture the shown video presents (requestVideoFrameCallback), each decoded
here by the same reader as the frame-truth tests.

The recorder is a JavaScript expression for any driver's ``evaluate``: Playwright's Chromium and
the Firefox driver alike (``bench/bench_cut.py`` runs it too).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import attr
from support import open_session
from support.cli import run_ft_dcc

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish
from .frame_code import (
    BITS,
    FIRST,
    FRAMES,
    RATE,
    READ_VIDEO_LEVELS,
    coded_frames,
    decode_levels,
)

HOUR = 3600 * RATE
LAST = FIRST + FRAMES - 1


@attr.s(auto_attribs=True, frozen=True)
class Shot:
    """One event of the cut: the shot, its frames' version code, its cut (version frames,
    out exclusive) and its record in."""

    name: str
    code: int
    source_in: int
    source_out: int
    record_in: int

    @property
    def record_out(self) -> int:
        return self.record_in + self.source_out - self.source_in


def plan_cut(count: int, seed_gap_after: Sequence[int] = (2,)) -> List[Shot]:
    """``count`` shots in a cut: each from a cut-in that differs from its neighbours' (and
    codes 1, 2, 3 in turn, so two neighbours never look alike), 10 to 14 frames, a 6-frame gap
    after the events ``seed_gap_after`` names, and the 4th shot cut past its movie's end (a
    version shorter than its cut: its last 4 frames are missing)."""
    shots, record = [], HOUR
    for index in range(count):
        length = 10 + index % 5
        cut_in = FIRST + 3 + (index * 7) % 20
        if index == 3:
            cut_in = LAST - 7  # 8 frames of the movie, then 4 missing
            length = 12
        shots.append(
            Shot(f"sh{(index + 1) * 10:03d}", index % 3 + 1, cut_in, cut_in + length, record)
        )
        record += length + (6 if index in seed_gap_after else 0)
    return shots


def edl_text(shots: Sequence[Shot], title: str = "cut play") -> str:
    """A CMX 3600 EDL of ``shots`` (written by hand, as an editor's system writes one)."""

    def tc(frame: int) -> str:
        seconds, frames = divmod(frame, RATE)
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{frames:02d}"

    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    for number, shot in enumerate(shots, start=1):
        lines.append(
            f"{number:03d}  AX       V     C        {tc(shot.source_in)} "
            f"{tc(shot.source_out)} {tc(shot.record_in)} {tc(shot.record_out)}"
        )
        lines.append(f"* FROM CLIP NAME: {shot.name}")
        lines.append("")
    return "\n".join(lines)


def expected_pieces(shots: Sequence[Shot]) -> List[Tuple[str, Optional[Tuple[int, int, int]]]]:
    """What the page plays, piece by piece: ("movie", (code, first, end)) or ("card", None)."""
    pieces: List[Tuple[str, Optional[Tuple[int, int, int]]]] = []
    at = shots[0].record_in
    for shot in shots:
        if shot.record_in > at:
            pieces.append(("card", None))
        end = min(shot.source_out, LAST + 1)
        pieces.append(("movie", (shot.code, shot.source_in, end)))
        if shot.source_out > end:
            pieces.append(("card", None))
        at = shot.record_out
    return pieces


#: what each record frame of the cut shows: (version code, shot frame), or None (a card)
Expected = List[Optional[Tuple[int, int]]]


def expected_frames(shots: Sequence[Shot]) -> Tuple[Expected, List[int]]:
    """Each record frame's picture, and the record frames (from 0) where a piece begins."""
    frames: Expected = []
    starts: List[int] = []
    at = shots[0].record_in
    for shot in shots:
        if shot.record_in > at:
            starts.append(len(frames))
            frames += [None] * (shot.record_in - at)
        starts.append(len(frames))
        end = min(shot.source_out, LAST + 1)
        frames += [(shot.code, f) for f in range(shot.source_in, end)]
        if shot.source_out > end:
            starts.append(len(frames))
            frames += [None] * (shot.source_out - end)
        at = shot.record_out
    return frames, starts


def movie_codes(movie: Path) -> Expected:
    """Each frame of ``movie`` decoded (ffmpeg): its (version code, shot frame), or None (no
    code: a card, black)."""
    import subprocess

    import imageio_ffmpeg

    from .frame_code import CENTRES, SIZE

    raw = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(movie),
         "-fps_mode", "passthrough", "-vf",
         f"scale={SIZE[0]}:{SIZE[1]}", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    size = SIZE[0] * SIZE[1]
    row = SIZE[1] // 2 * SIZE[0]
    return [
        decode_levels([raw[at + row + int(c * SIZE[0])] for c in CENTRES])
        for at in range(0, len(raw) - size + 1, size)
    ]


def build_cut_session(
    server: Any, tmp_path: Path, shots: Sequence[Shot], name: str = "Reel 1 cut"
) -> Dict[str, Any]:
    """A project with ``shots`` published (coded frames, 24 fps), a Supervisor of it, and the
    session the Supervisor made from the EDL with ``ft-dcc review create --from-cut``:
    ``{"project", "env", "session_id", "url", "user", "key"}`` (``url`` the Supervisor's own
    link)."""
    project = build_cut_project(server, tmp_path, shots)
    return session_from_cut(server, project, tmp_path, shots, name)


def build_cut_project(server: Any, tmp_path: Path, shots: Sequence[Shot]) -> Dict[str, Any]:
    """A project with ``shots`` published (coded frames, 24 fps) and a Supervisor of it (a
    studio member who is neither administrator nor the project's owner):
    ``{"project", "env", "user", "key"}``, ``env`` the Supervisor's for ``ft-dcc``."""
    project = f"cut{uuid.uuid4().hex[:8]}"
    with isolated_pyblish(tmp_path), open_session(server, tmp_path) as session:
        _publish_shots(session, project, tmp_path, shots)
    sup = "sup" + uuid.uuid4().hex[:6]
    added = run_ft_dcc(
        ["user", "add", sup, "--role", "supervisor", "--project", project,
         "--data", str(server.data_dir)],
        env=dict(os.environ),
        timeout=180,
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    key = re.search(r"API key: (\S+)", added.stdout)
    assert key, added.stdout
    env = dict(
        os.environ,
        FTRACK_SERVER=server.url,
        FTRACK_API_USER=sup,
        FTRACK_API_KEY=key.group(1),
        FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "sup-cache"),
    )
    return {"project": project, "env": env, "user": sup, "key": key.group(1)}


def _publish_shots(session: Any, project: str, tmp_path: Path, shots: Sequence[Shot]) -> None:
    """The project ``project`` with a shot (and its ``anim`` task) for each of ``shots``, each
    given a published version of its code's frames."""
    made = session.create(
        "Project",
        {"name": project, "full_name": project,
         "project_schema": session.query("ProjectSchema").first()},
    )  # fmt: skip
    task_type = session.query('Type where name is "Compositing"').first()
    sequence = session.create("Sequence", {"name": "sq010", "parent": made, "project": made})
    entities = []
    for shot in shots:
        entity = session.create("Shot", {"name": shot.name, "parent": sequence, "project": made})
        session.create(
            "Task", {"name": "anim", "parent": entity, "project": made, "type": task_type}
        )
        entities.append(entity)
    session.commit()
    for entity in entities:
        for key, value in (("fstart", FIRST), ("fend", LAST), ("fps", RATE)):
            entity["custom_attributes"][key] = value
    session.commit()
    frames: Dict[int, Path] = {}
    for shot in shots:
        if shot.code not in frames:
            frames[shot.code] = coded_frames(tmp_path / f"code{shot.code}", shot.code)
        report = publish(
            FilesHost(frames[shot.code], fps=RATE),
            task=f"{project}/sq010/{shot.name}/anim",
            comment=shot.name,
            session=session,
        )
        assert report.ok, str(report)


def session_from_cut(
    server: Any, project: Dict[str, Any], tmp_path: Path, shots: Sequence[Shot], name: str
) -> Dict[str, Any]:
    """The session the Supervisor of ``project`` (:func:`build_cut_project`; its shots
    published) makes from an EDL of ``shots`` with ``ft-dcc review create --from-cut``:
    ``project``'s keys and ``{"session_id", "url"}`` (``url`` the Supervisor's own link)."""
    cut = tmp_path / f"{uuid.uuid4().hex[:8]}.edl"
    cut.write_text(edl_text(shots), encoding="utf-8")
    created = run_ft_dcc(
        ["review", "create", name, "--project", project["project"], "--from-cut", str(cut),
         "--json"],
        env=project["env"],
        timeout=180,
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    from ft_dcc.session import Session

    from .feedback_fixtures import personal_url

    with Session(
        server_url=server.url,
        api_user=project["user"],
        api_key=project["key"],
        schema_cache_path=project["env"]["FTRACK_API_SCHEMA_CACHE_PATH"],
        plugin_paths=[],
    ) as mine:
        review = mine.query(
            f'ReviewSession where name is "{name}" and project.name is "{project["project"]}"'
        ).one()
        return dict(project, session_id=review["id"], url=personal_url(mine, review))


def note_in_cut(page: Any, at: Tuple[float, float], frame: int, text: str) -> None:
    """In Chromium (Playwright): click the cut's strip at ``at`` (x, y), wait until the page says
    version frame ``frame`` is under the playhead, write ``text`` in the note box (it names that
    frame) and add it; returns once the page says it is added."""
    page.locator(".cut-strip").click(position={"x": at[0], "y": at[1]})
    page.wait_for_function(
        "(f) => document.querySelector('.cut-view').dataset.frame === String(f)", arg=frame
    )
    added = page.evaluate("() => +document.querySelector('.cut-view').dataset.notesAdded || 0")
    page.locator(".cut-note textarea").click()
    page.keyboard.type(text)
    assert page.locator(".cut-note-at").inner_text().endswith(f"frame {frame}")
    page.locator(".cut-note .add-note").click()
    page.wait_for_function(
        "(n) => +document.querySelector('.cut-view').dataset.notesAdded === n", arg=added + 1
    )


#: makes the page play its cut with the two videos' hand-off even once the server's movie of the
#: cut is built (the tests and the bench of the hand-off, which the page falls back to)
HANDOFF = "window.ftReview.cutHandoff = true"
#: the page knows the server's movie of its cut is built (or failed): the build (ffmpeg, when the
#: page opened) no longer competes with the playback a test or the bench measures
SETTLED = "['ready', 'failed'].includes(document.querySelector('main.items').dataset.cutFilm)"

#: Records, while the cut plays, window.__cutSeen: ["cut", piece, slot, levels, entry] when a
#: video or the card is made the shown one (levels: the picture that video holds at that
#: moment; entry: "cut" when playback reached the piece, "seek" when the page was moved there),
#: and ["frame", piece, slot, levels] for each picture the shown video presents.
RECORDER = """(() => {
  const view = document.querySelector(".cut-view");
  const videos = [];  // the cut's two videos, made when it first plays
  const seen = [];
  const levels = (video) => (READ_VIDEO_LEVELS)(video, BITS);
  function follow(video) {
    videos.push(video);
    const onFrame = (now, meta) => {
      // a video seeking (its last frames are shown by paused seeks) has no picture to read:
      // Firefox's drawImage draws nothing there (readyState HAVE_METADATA), while the screen
      // keeps the picture before, read at its own callback; the sought one gets its own
      if (view.dataset.shown === video.dataset.slot && !video.seeking && video.readyState >= 2) {
        seen.push(["frame", +view.dataset.piece, video.dataset.slot, levels(video)]);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }
  let last = null;
  new MutationObserver(() => {
    view.querySelectorAll(".cut-video").forEach((v) => { if (!videos.includes(v)) follow(v); });
    const shown = view.dataset.shown;
    const key = shown + "/" + view.dataset.piece;
    if (!shown || key === last) return;
    last = key;
    const video = videos.find((v) => v.dataset.slot === shown);
    seen.push(["cut", +view.dataset.piece, shown, video ? levels(video) : null,
               view.dataset.entry]);
  }).observe(view, {attributes: true, attributeFilter: ["data-shown", "data-piece"],
                    childList: true, subtree: true});
  window.__cutSeen = seen;
  return true;
})()""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS).replace("BITS", str(BITS))


def wrong_cuts(
    seen: List[Any],
    pieces: Sequence[Tuple[str, Optional[Tuple[int, int, int]]]],
    joined: bool = False,
    past_out: bool = False,
) -> Tuple[int, int, List[str]]:
    """(cuts read, pictures read, a line for each wrong one): at each cut the shown picture is
    the piece's first frame (a card where the piece is a gap or missing frames), and every
    picture a shown video presents is a frame of its piece's cut part (never a handle).

    ``joined``: a page that joined the playing cut (a follower of the presenter): it starts
    where it joined and may be moved on to keep with the presenter (a seek, not a cut); only
    the cuts it played into are held to their first frame.

    ``past_out``: the two videos' hand-off (the page's fallback while the cut's movie is built):
    it stops each shot by the browser's frame callbacks and the clock, so on a busy machine the
    outgoing shot may present a frame or two past its cut out before its pause takes hold (the
    lateness ``bench/bench_cut.py`` measures, and why the server conforms the cut into one
    movie, frame-exact at every cut: ``test_cut_film``). Such a picture -- the piece's own shot,
    after its cut part -- is not counted wrong; a picture before its cut in, of another shot, or
    a wrong cut-in still is."""
    wrong: List[str] = []
    cuts = [s for s in seen if s[0] == "cut"]
    frames = [s for s in seen if s[0] == "frame"]
    order = [s[1] for s in cuts]
    if not joined and order != list(range(len(pieces))):
        wrong.append(f"the pieces were shown in the order {order}")
    checked = 0
    for place, (_kind, index, slot, levels, entry) in enumerate(cuts):
        if place and entry != "cut" and not joined:
            wrong.append(f"piece {index} was sought, not cut to")
        played_into = entry == "cut" and not (joined and order[place - 1] != index - 1)
        if not played_into and (joined or place):
            continue  # where a follower joined or was moved to: not a cut it played into
        checked += 1
        kind, want = pieces[index]
        if kind == "card":
            if slot != "card":
                wrong.append(f"piece {index}: {slot} shown where a card is due")
            continue
        assert want is not None
        picture = decode_levels(levels) if levels else None
        if picture != (want[0], want[1]):
            wrong.append(f"cut to piece {index}: picture {picture}, not {(want[0], want[1])}")
    for _kind, index, slot, levels in frames:
        kind, want = pieces[index]
        picture = decode_levels(levels)
        if kind != "movie" or want is None or picture is None:
            wrong.append(f"piece {index} ({kind}): video {slot} showed {picture}")
            continue
        code, first, end = want
        if past_out and picture[0] == code and picture[1] >= end:
            continue
        if picture[0] != code or not first <= picture[1] < end:
            wrong.append(f"piece {index}: picture {picture} outside {code}:{first}-{end - 1}")
    return checked, len(frames), wrong
