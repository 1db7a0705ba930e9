"""A review movie plays in real Chromium and shows frame k at time k/fps (23.976 included)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator

import pytest
from media_helpers import STEP, make_frames

from ft_dcc.media import encode_review

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = """<!doctype html><meta charset="utf-8">
<video id="v" src="review.mp4" muted playsinline preload="auto"></video>
<canvas id="c"></canvas>
<script>
window.redAt = async (seconds) => {
  const v = document.getElementById("v");
  // "seeked" can fire before the new frame is composited under load: also wait for the frame
  // itself (requestVideoFrameCallback), with a fallback in case the same frame stays on screen.
  await new Promise((done) => {
    let seeked = false, painted = !v.requestVideoFrameCallback;
    const check = () => { if (seeked && painted) done(); };
    if (!painted) v.requestVideoFrameCallback(() => { painted = true; check(); });
    setTimeout(() => { painted = true; check(); }, 2000);
    v.onseeked = () => { seeked = true; check(); };
    v.currentTime = seconds;
  });
  const c = document.getElementById("c");
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext("2d");
  g.drawImage(v, 0, 0);
  const px = g.getImageData(v.videoWidth / 2, v.videoHeight / 2, 1, 1).data;
  return px[0];
};
</script>"""


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with byte ranges (a browser only seeks in media served with ranges)."""

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        match = re.match(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            super().do_GET()
            return
        data = path.read_bytes()
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else len(data) - 1
        chunk = data[start : end + 1]
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{start + len(chunk) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        self.wfile.write(chunk)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple]:
    root = tmp_path / "site"
    root.mkdir()
    handler = functools.partial(RangeHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("fps", [Fraction(24000, 1001), Fraction(25)])
def test_chromium_shows_every_frame_at_its_time(
    tmp_path: Path, served, fps: Fraction, page: Any
) -> None:
    root, url = served
    files = make_frames(tmp_path / "frames", 24, size=(65, 47))
    encode_review(files, root / "review.mp4", fps)
    (root / "index.html").write_text(PAGE, encoding="utf-8")

    page.goto(f"{url}/index.html")
    page.wait_for_function("() => document.getElementById('v').readyState >= 2", timeout=20000)
    video = page.evaluate("""() => { const v = document.getElementById('v');
        return {w: v.videoWidth, h: v.videoHeight, d: v.duration}; }""")
    assert (video["w"], video["h"]) == (66, 48)
    assert video["d"] == pytest.approx(24 / float(fps), abs=0.01)
    shown = [
        round(page.evaluate("(t) => window.redAt(t)", (k + 0.5) / float(fps)) / STEP)
        for k in range(24)
    ]
    assert shown == list(range(24))  # first frame not doubled, last frame not cut
