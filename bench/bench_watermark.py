"""Time to first frame for a new watermarked viewer of a 100-frame 1080p version.

Usage: ``.venv/bin/python bench/bench_watermark.py [--viewers 3] [--frames 100]``

Starts ``ft-dcc server`` on SQLite, publishes (with the genuine ``ftrack_api`` client) one
version whose ``ftrackreview-mp4`` is a 1920 x 1080, 24 fps H.264 movie of ``--frames`` frames,
puts it in a review session whose ``watermark`` setting is ``"true"`` (download policy: none,
the default), and invites ``--viewers`` people twice over. For each of the first invitees, in
turn, as a player does over HTTP:

- **first frame, new viewer**: from sending ``GET /review/<id>/media/<movie>`` with
  ``Range: bytes=0-`` on their link (the server starts their copy and serves it while it
  encodes) and asking for the next parts, until the first frame of the bytes received decodes
  (ffmpeg, from the bytes received);
- **first frame, same viewer again**: the same, their copy cached;
- **first frame, the owner**: the same on the owner's personal link (the stored movie, unmarked).

For each of the other invitees, in a real Chromium (``/usr/bin/chromium``; skipped without it):
**first frame in Chromium, new viewer**: from opening their link's page (the page starts their
copy) until the page's ``<video>`` has its first frame (``readyState`` >= 2); then the same for
the owner's personal link (the stored movie: the page's and the browser's own share).

Then the encode alone, made whole as before copies were served while they encode
(``review.watermark_encode.encode_command``): its wall time and the CPU seconds it used (user +
system, all threads): on a machine shared with other work the wall time grows with the load, the CPU
time does not, and CPU seconds / cores is what the encode would take on an idle machine. The
figures are also given as a ratio to this encode's wall time, measured in the same run.

Prints each figure (ms), the medians, the machine's cores and load, then one JSON line. Nothing
is asserted: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import imageio_ffmpeg
import requests
from embedded_server import KEY, USER, Server


def make_movie(path: Path, frames: int) -> Path:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=1920x1080:rate=24", "-frames:v", str(frames), "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-crf", "18", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _decodes_a_frame(movie: Path) -> bool:
    found = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(movie), "-frames:v", "1",
         "-f", "framemd5", "-"],
        capture_output=True, text=True,
    )  # fmt: skip
    return found.returncode == 0 and any(
        line and not line.startswith("#") for line in found.stdout.splitlines()
    )


def first_frame_ms(url: str, scratch: Path) -> Tuple[float, int]:
    """(ms from the first request until a frame of the bytes received decodes, bytes received),
    asking part after part as a player does."""
    part = scratch / f"{uuid.uuid4().hex}.mp4"
    started = time.perf_counter()
    received, total = b"", None
    while total is None or len(received) < total:
        reply = requests.get(url, headers={"Range": f"bytes={len(received)}-"}, timeout=600)
        reply.raise_for_status()
        total = int(reply.headers.get("Content-Range", "/0").rsplit("/", 1)[1] or 0) or len(
            reply.content
        )
        received += reply.content
        part.write_bytes(received)
        if _decodes_a_frame(part):
            break
    return (time.perf_counter() - started) * 1000, len(received)


def chromium_first_frame_ms(urls: List[str]) -> List[float]:
    """For each page link: ms from opening it in Chromium until its movie shows a frame."""
    chromium = Path("/usr/bin/chromium")
    if not urls or not chromium.exists():
        return []
    from playwright.sync_api import sync_playwright

    found: List[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for url in urls:
                page = browser.new_page()
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_function(
                    "() => { const v = document.querySelector('video');"
                    " return v && v.readyState >= 2; }", timeout=600_000,
                )  # fmt: skip
                found.append((time.perf_counter() - started) * 1000)
                page.close()
        finally:
            browser.close()
    return found


def encode_alone(movie: Path, scratch: Path) -> Dict[str, float]:
    """Wall ms and CPU seconds of one viewer's encode of ``movie``, run as the server runs it."""
    from ft_dcc.server.review.media.watermark_encode import encode_command

    text = scratch / "viewer.txt"
    text.write_text("Viewer 0 viewer0@client.example\n2026-11-24", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(encode_command(movie, scratch / "marked.mp4", text), check=True)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_ms": round(wall), "cpu_s": round(cpu, 2),
            "idle_estimate_ms": round(cpu / (os.cpu_count() or 1) * 1000)}


def publish(session: Any, movie: Path, viewers: int) -> Tuple[Any, List[Any]]:
    """A session with one version (the movie), ``watermark`` on, ``viewers`` invitees."""
    name = f"wm{uuid.uuid4().hex[:6]}"
    project = session.create("Project", {"name": name, "full_name": name,
                                         "project_schema": session.query("ProjectSchema").first()})
    asset_type = session.query('AssetType where short is "upload"').one()
    asset = session.create("Asset", {"name": "sh010", "parent": project, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset})
    review = session.create("ReviewSession", {"name": "Client dailies", "project": project})
    session.create("ReviewSessionObject", {"review_session": review, "asset_version": version,
                                           "name": "sh010", "version": "v001", "sort_order": 1})
    invitees = [
        session.create("ReviewSessionInvitee", {"review_session": review, "name": f"Viewer {i}",
                                                "email": f"viewer{i}@client.example"})
        for i in range(2 * viewers)
    ]  # fmt: skip
    session.create("EntitySetting", {"parent_id": review["id"], "parent_type": "ReviewSession",
                                     "group": "review", "name": "watermark", "value": "true"})
    session.commit()
    location = session.query('Location where name is "ftrack.server"').one()
    component = session.create_component(
        str(movie), {"name": "ftrackreview-mp4", "version": version}, location=location
    )
    session.commit()
    return (review, component), invitees


def media_url(link: str, review_id: str, component_id: str) -> str:
    base, query = link.split("?", 1)
    return f"{base}/media/{component_id}?{query}"


def run(viewers: int, frames: int, base: Path) -> Dict[str, Any]:
    import ftrack_api

    movie = make_movie(base / "1080p.mp4", frames)
    server = Server(base)
    try:
        session = ftrack_api.Session(server_url=server.url, api_user=USER, api_key=KEY,
                                     auto_connect_event_hub=False,
                                     schema_cache_path=str(base / "schema"))  # fmt: skip
        (review, component), invitees = publish(session, movie, viewers)
        owner = session.call([{"action": "get_widget_url", "name": "review_session",
                               "entity_type": "ReviewSession", "entity_key": [review["id"]],
                               "purpose": "personal"}])[0]["widget_url"]  # fmt: skip
        figures: Dict[str, List[float]] = {"new viewer": [], "same viewer again": [], "owner": []}
        for invitee in invitees[:viewers]:
            url = media_url(session.get_widget_url("review_session", entity=invitee),
                            review["id"], component["id"])  # fmt: skip
            for kind in ("new viewer", "same viewer again"):
                ms, size = first_frame_ms(url, base)
                figures[kind].append(ms)
                print(f"{kind:18s} {invitee['name']}: {ms:7.0f} ms ({size} bytes received)")
            ms, size = first_frame_ms(media_url(owner, review["id"], component["id"]), base)
            figures["owner"].append(ms)
            print(f"{'owner':18s}: {ms:7.0f} ms ({size} bytes received)")
        pages = [session.get_widget_url("review_session", entity=i) for i in invitees[viewers:]]
        browser = chromium_first_frame_ms([*pages, owner])
        if browser:
            figures["new viewer, Chromium page"] = browser[:-1]
            figures["owner, Chromium page"] = browser[-1:]
            for ms in browser[:-1]:
                print(f"{'new viewer, Chromium page':18s}: {ms:7.0f} ms")
            print(f"{'owner, Chromium page':18s}: {browser[-1]:7.0f} ms")
        session.close()
    finally:
        server.stop()
    medians = {kind: round(statistics.median(values)) for kind, values in figures.items()}
    alone = encode_alone(movie, base)
    ratios = {kind: round(ms / alone["wall_ms"], 2) for kind, ms in medians.items()}
    return {"encode_alone": alone, "ratio_to_whole_encode": ratios,
            "frames": frames, "size": "1920x1080", "movie_bytes": movie.stat().st_size,
            "cores": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()],
            "median_ms": medians, "all_ms": {k: [round(v) for v in vs]
                                             for k, vs in figures.items()}}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=3)
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-watermark-"))
    try:
        result = run(args.viewers, args.frames, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for kind, ms in result["median_ms"].items():
        print(f"median first frame, {kind}: {ms} ms")
    alone = result["encode_alone"]
    print(f"the encode alone: {alone['wall_ms']} ms wall, {alone['cpu_s']} CPU s "
          f"(idle estimate: CPU s / cores = {alone['idle_estimate_ms']} ms)")
    for kind, ratio in result["ratio_to_whole_encode"].items():
        print(f"first frame, {kind} / the whole encode measured in this run: {ratio}")
    print(f"cores {result['cores']}, load {result['load']}")
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
