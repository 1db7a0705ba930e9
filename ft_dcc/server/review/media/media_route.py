"""The review page's media route: ``GET|HEAD /review/<id>/media/<component id>?token=``
(``&download=1`` for a download), under the session's download policy and watermark
(:mod:`.media_policy`).

- The review movie: watch-only (policy ``none``, a client link) in bounded 206 parts
  (:mod:`.ranged`); otherwise whole, with HTTP Range. ``download=1`` answers it as an attachment
  when the policy is ``proxy`` or ``original``, else 403. With the session's watermark on, a
  client link receives its viewer's own marked copy (:mod:`.watermark`), downloads included;
  while that copy is being made it is served in bounded parts of its announced size, each part
  once its bytes are there (a download waits for the whole copy). A request that goes on with a
  playback (not from byte 0) keeps the copy of the day it began on (midnight UTC passed).
- A version's other files (its source): only as a download, only under ``original``.
- Thumbnails and drawings (stills, not the version's file): whole, inline, as ``<img>`` needs.
- A shown file of a type the server's table does not know (``.mkv``, ``.avi``, no extension:
  neither played in parts nor marked) is refused to a client link under a restrictive session
  (policy ``none`` or the watermark on: 415, :data:`UNKNOWN_MEDIA`); otherwise a download.
The managing User's personal link is never bound. A whole file sent to a client link stops when
its grant falls (a revocation: :mod:`.in_flight`), before the revoking write returns. Each view
start of a movie (a reply from byte 0) and each download is recorded in the audit trail
(``media.played``/``media.downloaded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ft_dcc.server.common.errors import ApiOperationError, NotFound
from ft_dcc.server.files.served import FILE_HEADERS, served_type
from ft_dcc.server.review.access.access import signer_for
from ft_dcc.server.review.access.audit_acts import record_act, source_of
from ft_dcc.server.review.access.in_flight import Flights, GuardedFile, LinkGrant, check_grant
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.media.media_policy import (
    NONE,
    MediaRights,
    media_rights,
    original_ids,
    originals,
    today,
)
from ft_dcc.server.review.media.ranged import (
    Reader,
    file_reader,
    not_satisfiable,
    partial_reply,
    requested_start,
    unreadable,
)
from ft_dcc.server.review.media.watermark import Copy, Watermarker
from ft_dcc.server.review.reads.data import ReviewData, SessionView
from ft_dcc.server.review.render.html import FIRST_GROUPS, group_items
from ft_dcc.server.rules import permissions
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.store.store import Execute

WATCH_ONLY = (
    "Downloads are off for this review link: it plays the movie in the page only. Ask the "
    "person who runs the review if you need the file."
)
NO_ORIGINAL = (
    "Downloads of the original files are off for this review link. Ask the person who runs "
    "the review if you need them."
)
UNKNOWN_MEDIA = (
    "This version's review file is of a type the review page can neither play in parts nor "
    "watermark, and this review's rules serve nothing whole; ask the person who runs the "
    "review to republish it as an MP4 movie."
)
PRIVATE_CACHE = {"Cache-Control": "private, max-age=3600"}
#: the session's conformed cut served under an id of its own (``cut_page``): its file, None for
#: an id that names no conformed cut; refuses a link that may not see the cut
ConformOf = Callable[[Link, ReviewData, str, str], Optional[Path]]


@dataclass
class Served:
    """What one media request gets: the file, how, and what the audit trail says of it."""

    path: Path
    media_type: str
    file_name: str
    #: an attachment (a download) rather than inline
    download: bool
    #: in bounded parts only (watch-only)
    parts: bool
    #: a movie (a play or a download is recorded) rather than a still
    movie: bool
    #: a viewer's copy still being made: its announced size and where its bytes are read
    growing: Optional[Copy] = None
    #: a client link's grant: a whole file sent on it stops when it falls (:mod:`.in_flight`)
    grant: Optional[LinkGrant] = None

    @property
    def size(self) -> int:
        return self.growing.size if self.growing else self.path.stat().st_size


def _refuse(message: str) -> ApiOperationError:
    return ApiOperationError(message, permissions.PERMISSION_ERROR, status=403)


class MediaRoute:
    """The media handler of one server's review page."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.watermarks = Watermarker(server.files)
        self.signer = signer_for(server.config.data_dir)
        self.flights = Flights(server, self.signer)
        self.conform_of: Optional[ConformOf] = None

    def rights(self, link: Link, session: SessionView) -> MediaRights:
        return media_rights(self.server.store, self.server.ctx.execute, link, session)

    def plan(
        self, link: Link, data: ReviewData, review_session_id: str, component_id: str,
        download: bool, range_header: Optional[str] = None,
    ) -> Served:  # fmt: skip
        """What ``link`` gets of ``component_id`` (raises NotFound or a 403 refusal)."""
        files, execute = self.server.files, self.server.ctx.execute
        session = data.session_facts(review_session_id)
        conformed = self.conform_of and self.conform_of(link, data, review_session_id, component_id)
        if conformed:  # the session's cut as one movie: served as its review movies are
            path, shown = conformed, True
            info: Mapping[str, Any] = {"file_name": "cut.mp4", "file_type": ".mp4"}
        else:
            path = files.path_for(component_id)
            shown = data.serves(review_session_id, component_id)  # never all of a big session
            info = {}
        if (
            session is None
            or not path.is_file()
            or not (shown or component_id in original_ids(execute, review_session_id))
        ):
            raise NotFound("No such movie, thumbnail or drawing in this review session.")
        rights = self.rights(link, session)
        grant = _grant(link, session) if rights.bound else None
        info = info or files.info(component_id)
        media_type, inline = served_type(info)
        name = str(info.get("file_name") or component_id)
        if not shown:  # a version's original file: a download or nothing
            if not rights.downloads(original=True):
                raise _refuse(NO_ORIGINAL)
            return Served(path, media_type, name, True, False, False, grant=grant)
        movie = media_type.startswith("video/")
        if not inline and rights.restricted:  # a type neither cut nor marked: never whole
            raise ApiOperationError(UNKNOWN_MEDIA, "ValidationError", status=415)
        if download and not rights.downloads(original=False):
            raise _refuse(WATCH_ONLY)
        watch_only = movie and rights.bound and rights.policy == NONE
        if not movie and rights.watermark and data.is_review_image(component_id):
            path = self.watermarks.marked_still(component_id, path, rights.watermark, today())
        elif movie and rights.watermark and download:
            path = self.watermarks.marked(component_id, path, rights.watermark, today())
        elif movie and rights.watermark:
            going_on = bool(requested_start(range_header, 2**62))
            copy = self.watermarks.copy(component_id, path, rights.watermark, today(), going_on)
            if copy.growing:
                return Served(copy.path, media_type, name, not inline, True, movie, copy)
            path = copy.path
        return Served(path, media_type, name, download or not inline, watch_only, movie,
                      grant=grant)  # fmt: skip

    async def serve(
        self, request: Request, link: Link, data: ReviewData, review_session_id: str,
        component_id: str,
    ) -> Response:  # fmt: skip
        download = request.query_params.get("download") not in (None, "", "0")
        asked = request.headers.get("range")
        served = await run_in_threadpool(
            self.plan, link, data, review_session_id, component_id, download, asked
        )
        head = request.method == "HEAD"
        if unreadable(asked):
            return not_satisfiable(served.size, FILE_HEADERS)
        if served.growing is not None:
            read: Reader = self._reader(served.growing)
            reply = await run_in_threadpool(
                partial_reply, served.size, read, served.media_type, asked, FILE_HEADERS,
                head,
            )  # fmt: skip
        elif served.parts:  # read in a thread: never the event loop's (one page's 300 parts)
            reply = await run_in_threadpool(
                partial_reply, served.size, file_reader(served.path), served.media_type, asked,
                FILE_HEADERS, head,
            )  # fmt: skip
        else:
            reply = await self._whole(served)
        if served.movie and not head and reply.status_code in (200, 206):
            await self._audit(request, link, review_session_id, component_id, served)
        return reply

    async def _whole(self, served: Served) -> Response:
        """The file whole (or a Range of it); on a client link's grant, cut when it falls."""
        options: Dict[str, Any] = dict(
            media_type=served.media_type,
            filename=served.file_name if served.download else None,
            content_disposition_type="attachment" if served.download else "inline",
            headers=dict(FILE_HEADERS, **PRIVATE_CACHE),
        )
        if served.grant is None:
            return FileResponse(served.path, **options)
        flight = self.flights.take_off(served.grant)
        try:  # heard from now on; a revocation since the request's own check refuses it here
            await run_in_threadpool(check_grant, self.server, self.signer, served.grant)
        except BaseException:
            self.flights.land(flight)
            raise
        return GuardedFile(served.path, flights=self.flights, flight=flight, **options)

    def _reader(self, copy: Copy) -> Reader:
        return lambda first, last: self.watermarks.read(copy, first, last)

    async def _audit(
        self, request: Request, link: Link, review_session_id: str, component_id: str,
        served: Served,
    ) -> None:  # fmt: skip
        """``media.downloaded`` for a download, ``media.played`` for a view start (a reply from
        byte 0: not every part a player asks for)."""
        size = served.size
        if not served.download and requested_start(request.headers.get("range"), size) != 0:
            return
        act = "media.downloaded" if served.download else "media.played"
        await run_in_threadpool(
            record_media, self.server, act, link, request, review_session_id,
            {"component": component_id, "bytes": size},
        )  # fmt: skip

    def opened(self, link: Link, session: SessionView) -> None:
        """A page of ``session`` opens through ``link``: put on its items the files the link may
        download (the page's download links), and with the watermark on, start making the
        viewer's copies of the page's movies, in page order (its players ask for them next: the
        first to play, the others for their first frames)."""
        rights = self.downloads(link, session)
        if rights.watermark:
            files, date = self.server.files, today()
            first = group_items(session.items)[:FIRST_GROUPS]  # what the page opens with
            shown = [i.movie_id for g in first for i in g if i.movie_id]
            self.watermarks.prepare(
                [(m, files.path_for(m), rights.watermark, date) for m in shown if files.exists(m)]
            )

    def downloads(self, link: Link, session: SessionView) -> MediaRights:
        """Put on ``session``'s items the files ``link`` may download; its rights."""
        rights = self.rights(link, session)
        _add_downloads(self.server.ctx.execute, rights, session)
        return rights


def _grant(link: Link, session: SessionView) -> LinkGrant:
    """What a reply to ``link`` rests on (as a ``/live`` stream's)."""
    invitee = link.invitee.id if link.invitee is not None else None
    return LinkGrant(link.token, session.id, link.maker_id, invitee, link.shared,
                     session.private, session.is_open, link.passed, session.project_id)  # fmt: skip


def _add_downloads(execute: Execute, rights: MediaRights, session: SessionView) -> None:
    """Each item's downloads: the review movie under ``proxy``, the originals too under
    ``original``."""
    if not rights.downloads(original=False):
        return
    found = originals(execute, session.id) if rights.downloads(original=True) else {}
    for item in session.items:
        if item.movie_id:
            item.downloads.append((item.movie_id, "review movie"))
        elif item.image_id:
            item.downloads.append((item.image_id, "review image"))
        item.downloads.extend(found.get(item.version_id or "", []))


def record_media(
    server: EmbeddedServer,
    act: str,
    link: Link,
    request: Request,
    review_session_id: str,
    detail: Mapping[str, object],
) -> None:
    """The audit trail's entry of a play or a download (see :mod:`.audit_acts`)."""
    record_act(server.store, act, link, source_of(request), review_session_id, detail)
