"""A reviewer's drawing to lay over the artist's viewport: the note's PNG, downloaded once, and the
frames it is held over (``frame``..``frame_out`` of the note, see ``ft_dcc.protocol.feedback``).

Host-agnostic: the hosts' overlay modules (``hosts/blender/overlay.py``, ``hosts/maya/overlay.py``,
``hosts/nuke/overlay.py``) take a :class:`NoteOverlay` and show ``path`` over their viewport on
``first``..``last`` only, and remove it again on hide.

A drawing is made on one version, and a publish of several cameras makes one version per camera:
:func:`ft_dcc.host.feedback.captured_cameras` reads, with the feedback, the camera of each
note's version (its review component's ``ft_dcc_capture`` record: ``FeedbackRow.camera``), so a
host shows the drawing only over a view through that camera.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Callable, List, Optional

import attr
import requests

from ft_dcc.exceptions import FeedbackError
from ft_dcc.host.feedback import NOTE, FeedbackRow
from ft_dcc.media.image_header import PNG_SIGNATURE
from ft_dcc.session.schema_cache import default_cache_directory
from ft_dcc.session.settings import resolve_settings

log = logging.getLogger(__name__)

#: the largest drawing downloaded (the review page accepts 4 MiB)
MAX_BYTES = 8 * 1024 * 1024
#: Downloads ``url`` into a file; the default speaks HTTP with the API key headers.
Download = Callable[[str, Path], None]


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class NoteOverlay:
    """One drawing of a note: shown over the viewport on frames ``first``..``last``."""

    note_id: str
    path: Path  # the PNG on disk
    first: int
    last: int
    label: str = ""  # "Ana Lee: arm pops here", for the host's node or layer name
    #: the camera the drawn-on version was captured through (None: not known, any view)
    camera: Optional[str] = None

    def covers(self, frame: float) -> bool:
        return self.first <= int(frame) <= self.last


def default_folder() -> Path:
    """Where drawings are kept once downloaded (one file per drawing URL): the user's own cache
    folder. Not the shared temp dir, where another user of the machine could make the folder
    first, or a link named like a drawing's file in it, and so choose what the artist's viewport
    shows or what a download overwrites."""
    return default_cache_directory() / "drawings"


def http_download(
    api_user: Optional[str] = None, api_key: Optional[str] = None, timeout: float = 60.0
) -> Download:
    """A :data:`Download` sending ftrack's ``ftrack-user`` / ``ftrack-api-key`` headers (default:
    ``FTRACK_API_USER`` / ``FTRACK_API_KEY``)."""
    if not (api_user and api_key):
        _server, api_key, api_user = resolve_settings(None, api_key, api_user)

    def download(url: str, target: Path) -> None:
        headers = {"ftrack-user": str(api_user), "ftrack-api-key": str(api_key)}
        try:
            with requests.get(url, headers=headers, timeout=timeout, stream=True) as response:
                if response.status_code != 200:
                    raise FeedbackError(
                        f"The drawing did not download (HTTP {response.status_code}).",
                        hint="read the feedback again; the note may have been deleted",
                    )
                body = response.raw.read(MAX_BYTES + 1, decode_content=True)
        except requests.RequestException as exc:
            raise FeedbackError(f"The drawing did not download: {exc}") from None
        if len(body) > MAX_BYTES:
            raise FeedbackError(f"The drawing is larger than {MAX_BYTES} bytes; not shown.")
        target.write_bytes(body)

    return download


def note_overlays(
    row: FeedbackRow,
    download: Optional[Download] = None,
    folder: Optional[Path] = None,
    camera: Optional[str] = None,
) -> List[NoteOverlay]:
    """The drawings of a note row, downloaded (once) into ``folder``, each shown over views
    through ``camera`` only (None: any view); [] for a row without a frame or drawings.
    :class:`FeedbackError` when one cannot be had as a PNG."""
    if row.kind != NOTE or row.frame is None or not row.drawing_urls:
        return []
    folder = folder or default_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # private where it is made
    last = row.frame_out if row.frame_out is not None else row.frame
    found = []
    for url in row.drawing_urls:
        path = folder / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + ".png")
        if not path.is_file():
            partial = path.with_suffix(".part")
            (download or http_download())(url, partial)
            if partial.read_bytes()[: len(PNG_SIGNATURE)] != PNG_SIGNATURE:
                partial.unlink()
                raise FeedbackError("The note's drawing is not a PNG image; it is not shown.")
            partial.replace(path)
            log.info("drawing of note %s downloaded to %s", row.note_id, path)
        label = f"{row.author}: {row.content}".strip(": ")
        found.append(
            NoteOverlay(
                note_id=row.note_id,
                path=path,
                first=row.frame,
                last=last,
                label=label,
                camera=camera,
            )
        )
    return found
