"""The other way to play a cut, measured beside the page's two ``<video>`` hand-off: the cut
conformed into **one movie** by ffmpeg (each event's source in..out of its version's movie,
black for a gap, a grey card for missing frames) and played in one ``<video>``, every picture it
presents read back from its coded frame number (``bench_cut.py --conformed``).

A prototype for the measurement only: the movies are fetched from the session's own ``/cut``
plan and media routes (as the Supervisor's page would), conformed here, and played from a plain
page of a throwaway 127.0.0.1 server -- not the review page.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import requests
from web.cut_checks import LAST, Expected, Shot, expected_frames
from web.frame_code import BITS, FIRST, RATE, READ_VIDEO_LEVELS, SIZE, decode_levels

from ft_dcc.server.files.encode import ffmpeg_exe

FRAME_MS = 1000 / RATE
__all__ = ["Expected", "expected_frames"]


def fetch_movies(url: str, base: Path) -> Dict[str, Path]:
    """Each shot's movie (by shot name), fetched through the session's /cut plan."""
    parts = urllib.parse.urlsplit(url)
    plan_url = parts._replace(path=parts.path.rstrip("/") + "/cut").geturl()
    plan = requests.get(plan_url, timeout=120).json()
    movies: Dict[str, Path] = {}
    for segment in plan["segments"]:
        shot = str(segment["label"]).split()[0]
        path = base / f"{shot}.mp4"
        reply = requests.get(urllib.parse.urljoin(url, segment["movie"]), timeout=120)
        reply.raise_for_status()
        path.write_bytes(reply.content)
        movies[shot] = path
    return movies


def conform(shots: Sequence[Shot], movies: Dict[str, Path], out: Path) -> float:
    """Encode the cut as one movie at ``out``; the seconds it took."""
    inputs: List[str] = []
    chains: List[str] = []
    size = f"{SIZE[0]}x{SIZE[1]}"

    def card(colour: str, count: int) -> None:
        chains.append(f"color=c={colour}:s={size}:r={RATE},trim=end_frame={count},"
                      f"setpts=PTS-STARTPTS,format=yuv420p,setsar=1[p{len(chains)}]")  # fmt: skip

    at = shots[0].record_in
    for shot in shots:
        if shot.record_in > at:
            card("black", shot.record_in - at)
        end = min(shot.source_out, LAST + 1)
        index = len(inputs) // 2
        inputs += ["-i", str(movies[shot.name])]
        chains.append(f"[{index}:v]trim=start_frame={shot.source_in - FIRST}:end_frame="
                      f"{end - FIRST},setpts=PTS-STARTPTS,format=yuv420p,setsar=1"
                      f"[p{len(chains)}]")  # fmt: skip
        if shot.source_out > end:
            card("0x606060", shot.source_out - end)
        at = shot.record_out
    graph = ";".join(chains) + ";" + "".join(f"[p{i}]" for i in range(len(chains)))
    graph += f"concat=n={len(chains)}:v=1:a=0[out]"
    started = time.perf_counter()
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", *inputs, "-filter_complex", graph,
                    "-map", "[out]", "-r", str(RATE), "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", "16", "-g", str(RATE), "-pix_fmt", "yuv420p", "-movflags",
                    "+faststart", str(out)], check=True)  # fmt: skip
    return time.perf_counter() - started


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (a thread); its address."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


PAGE = "<!doctype html><title>conformed cut</title><video id=cut muted playsinline></video>"

#: plays the conformed movie until ``FRAMES`` record frames went by (looping), recording each
#: presented picture: [mediaTime, expectedDisplayTime, presentedFrames, levels]
PLAYER = (
    """((target) => {
  const video = document.getElementById("cut");
  const seen = [];
  const levels = (READ_VIDEO_LEVELS);
  window.__conformed = { seen, done: false, loops: 0 };
  const onFrame = (now, meta) => {
    seen.push([meta.mediaTime, meta.expectedDisplayTime || now, meta.presentedFrames,
               levels(video, BITS)]);
    if (!window.__conformed.done) video.requestVideoFrameCallback(onFrame);
  };
  video.addEventListener("ended", () => {
    window.__conformed.loops += 1;
    if (window.__conformed.loops * video.duration * RATE >= target) {
      window.__conformed.done = true;
      return;
    }
    video.currentTime = 0;
    video.play();
  });
  video.requestVideoFrameCallback(onFrame);
  video.src = "cut.mp4";
  video.play();
  return true;
})""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS)
    .replace("BITS", str(BITS))
    .replace("RATE", str(RATE))
)


def measure(seen: List[Any], frames: Expected, starts: List[int]) -> Dict[str, Any]:
    """What one-movie playback showed: wrong pictures (a picture that is the film's frame one
    before or up to two after the one its callback names -- Chromium's late callbacks read the
    next, Firefox's the one before -- is counted as ``ahead``, the reader's timing, not wrong),
    cuts whose first frame was never presented, each cut's stall (its first frame's display time
    after the frame before it, less one frame), and the longest wait between two pictures
    anywhere."""
    wrong: List[str] = []
    ahead = 0
    shown: Dict[Tuple[int, int], float] = {}  # (loop, record frame) -> display time
    loop, last = 0, -1
    gaps: List[float] = []
    previous: Optional[float] = None
    for media_time, display, _count, levels in seen:
        record = round(float(media_time) * RATE)
        if record < last:
            loop, previous = loop + 1, None  # the movie went round again: not a cut
        last = record
        if record >= len(frames):
            continue
        picture = decode_levels(levels)
        if picture != frames[record] and picture in frames[max(0, record - 1) : record + 3]:
            ahead += 1  # the film's frame before or after: the reader's timing, not the film
        elif picture != frames[record]:
            wrong.append(f"record frame {record}: picture {picture}, not {frames[record]}")
        shown[(loop, record)] = float(display)
        if previous is not None:
            gaps.append(float(display) - previous)
        previous = float(display)
    stalls: List[float] = []
    unseen = 0
    for run in range(loop + 1):
        for start in starts[1:]:
            if (run, start) not in shown:
                if (run, start - 1) in shown or (run, start + 1) in shown:
                    unseen += 1  # the cut-in frame itself was not presented (dropped)
                continue
            if (run, start - 1) in shown:
                stalls.append(shown[(run, start)] - shown[(run, start - 1)] - FRAME_MS)
    return {"pictures": len(seen), "wrong": wrong, "ahead": ahead, "stalls": stalls,
            "unseen": unseen, "longest": max(gaps or [0.0]), "frames": len(seen)}  # fmt: skip


def play_conformed(page: Any, root: str, frames: Expected, starts: List[int],
                   target: int) -> Dict[str, Any]:  # fmt: skip
    """Play the conformed cut served at ``root`` in ``page`` (bench_cut.Page) for ``target``
    record frames (at least once through); what :func:`measure` makes of it."""
    assert page.goto(f"{root}/index.html") == 200
    page.evaluate(f"{PLAYER}({max(target, len(frames))})")
    page.wait("window.__conformed.done")
    seen = page.evaluate("window.__conformed.seen")
    return measure(seen, frames, starts)


def write_page(folder: Path) -> None:
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
