"""How the server serves a stored file: a type it decided, never one that runs script.

Movies and a short list of still images are served as themselves (inline, for the player and
thumbnails); everything else (HTML, SVG, XML, PDF, scripts, unknown) is a download:
``application/octet-stream`` with ``Content-Disposition: attachment``. Every file answer
carries ``X-Content-Type-Options: nosniff`` (the browser never guesses another type), a
Content-Security-Policy that runs nothing (``sandbox``) and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from typing import Dict, Mapping, Optional, Tuple

#: The types served inline: what the review player and thumbnails need, nothing that scripts.
INLINE_TYPES = frozenset(
    {
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
    }
)
DOWNLOAD_TYPE = "application/octet-stream"
#: A file answer runs nothing, embeds nothing and is framed by nobody.
FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
FILE_HEADERS: Dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": FILE_POLICY,
    "Referrer-Policy": "no-referrer",
}


def _declared(content_type: Optional[str], file_name: Optional[str]) -> str:
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and declared != DOWNLOAD_TYPE:
        return declared
    guessed = mimetypes.guess_type(PurePosixPath(file_name or "").name)[0]
    return (guessed or "").lower()


def served_type(info: Mapping[str, object]) -> Tuple[str, bool]:
    """(media type, inline?) for a stored file's sidecar facts (``content_type``,
    ``file_name``): an allowed movie or image type inline, else a download."""
    declared = _declared(
        str(info.get("content_type") or "") or None, str(info.get("file_name") or "") or None
    )
    if declared in INLINE_TYPES:
        return declared, True
    return DOWNLOAD_TYPE, False
