"""The review page's static files: the ``web`` folder, its scripts in load order, and those
scripts served as one (``/review/static/scripts.js``)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Optional, Tuple

from starlette.responses import Response

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
#: The page's scripts, in load order (all ``defer``; ``review.js`` starts the page).
SCRIPTS = (
    "dom.js",
    "media.js",
    "player.js",
    "still.js",
    "compare.js",
    "still_compare.js",
    "draw.js",
    "feedback.js",
    "live.js",
    "whoami.js",
    "presenter.js",
    "watchers.js",
    "cut.js",
    "review.js",
    "compare_link.js",
    "frame_link.js",
)

#: The page's scripts as one (``/review/static/scripts.js``): a page far away loads them in one
#: request, not eleven queued on the browser's six connections to the server, a round trip or
#: more each (the files stay served one by one too).
SCRIPT_BUNDLE = "scripts.js"


def script_bundle() -> Tuple[bytes, str]:
    """SCRIPTS in their order as one script (each file is strict and wraps itself in a
    function), and its version (a digest of it); made again when a file changed."""
    return _bundle(tuple((WEB_DIR / name).stat().st_mtime_ns for name in SCRIPTS))


@functools.lru_cache(maxsize=1)
def _bundle(_changed: Tuple[int, ...]) -> Tuple[bytes, str]:
    parts = [f"/* {n} */\n{(WEB_DIR / n).read_text(encoding='utf-8')}\n;\n" for n in SCRIPTS]
    body = "".join(parts).encode("utf-8")
    return body, hashlib.sha256(body).hexdigest()[:16]


def scripts_response(if_none_match: Optional[str]) -> Response:
    """The bundle (304 when the browser holds this version: its ETag is the digest)."""
    body, digest = script_bundle()
    tag = f'"{digest}"'
    headers = {"Cache-Control": "no-cache", "ETag": tag, "X-Content-Type-Options": "nosniff"}
    if if_none_match and tag in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
