"""What a review link may take of a session's media: the download policy and the watermark.

A session's rules for its client links are ``EntitySetting`` rows under the ``ReviewSession``
(ftrack's ``ReviewSession.settings``), group ``review``:

- ``download_policy``: ``none`` (watch only: the review movie is served in bounded range
  replies, never whole in one reply, never as an attachment), ``proxy`` (the review movie,
  ``ftrackreview-mp4``, downloads) or ``original`` (the version's other files too: its source).
  No row, or a value the server does not know: ``none``.
- ``watermark``: ``"true"``: the review movie a client link receives is its grant's own copy,
  with who received it and the date burned into the frames (:mod:`.watermark`): an invitee's
  own link by the invitee's name and e-mail, a personal link by its User's, and everyone who
  came through the room link as ``room link · <session name>`` (:func:`viewer_text`).
  Under ``none`` or with the watermark on, a review file the server can neither play in parts
  nor mark (a type its table does not know) is refused to a client link (:func:`restricted`).

They bind **client links**: an invitee's link, the room link and an identity chosen in the
room, and the personal link of a User who may not manage the session. The managing User's own
personal link (and ``/api`` with an API key) is the studio's own access: unrestricted, unmarked.
Read again on every request: a change binds the next one.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Dict, List, Set, Tuple

from ft_dcc.protocol import REVIEW_COMPONENT_IMAGE, REVIEW_COMPONENT_MP4, THUMBNAIL_COMPONENT
from ft_dcc.protocol.client_review import DOWNLOAD_POLICY, DOWNLOADS, GROUP, WATERMARK
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.identity import query
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.reads.data import SessionView
from ft_dcc.server.rules.review import manages
from ft_dcc.server.store.store import Execute

NONE, PROXY, ORIGINAL = DOWNLOADS
#: components that are the version's review media, not its originals
REVIEW_MEDIA = frozenset({REVIEW_COMPONENT_MP4, REVIEW_COMPONENT_IMAGE, THUMBNAIL_COMPONENT})


@dataclass(frozen=True)
class MediaRights:
    """What one link may take of one session's media."""

    policy: str
    #: a client link (the session's rules bind it)
    bound: bool
    #: the text burned into the frames it receives ("" when it receives the movie unmarked)
    watermark: str = ""

    @property
    def restricted(self) -> bool:
        """Whether the session's rules cut or mark what this link receives (watch-only, or the
        watermark on): what the server can neither cut nor mark is then not served at all."""
        return self.bound and (self.policy == NONE or bool(self.watermark))

    def downloads(self, original: bool) -> bool:
        """Whether the review movie (``original`` False) or a source file may download whole."""
        if original:
            return self.policy == ORIGINAL
        return self.policy in (PROXY, ORIGINAL)


def session_settings(execute: Execute, review_session_id: str) -> Dict[str, str]:
    """The session's ``review`` settings, name -> value (read as the server)."""
    rows = query(
        execute,
        "select name, value from EntitySetting where parent_id is "
        f'{quote(review_session_id)} and group is "{GROUP}"',
    )
    return {str(r.get("name")): str(r.get("value") or "") for r in rows if r.get("name")}


def _user_text(execute: Execute, user_id: str) -> str:
    fields = "first_name, last_name, username, email"
    rows = query(execute, f"select {fields} from User where id is {quote(user_id)}")
    row = rows[0] if rows else {}
    name = " ".join(str(row.get(k) or "") for k in ("first_name", "last_name")).strip()
    return f"{name or row.get('username') or user_id} {row.get('email') or ''}".strip()


#: what the frames a room-link viewer receives say (with the session's name): the grant that
#: received the copy, never the name or address its holder typed
ROOM_MARK = "room link · "


def viewer_text(execute: Execute, link: Link, session: SessionView) -> str:
    """Who received the copy, as the watermark says it: the grant the server proved. An
    invitee's own link names its invitee (name and e-mail, as the session's owner wrote them),
    a personal link its User; anyone who came through the room link -- the shared link, or an
    identity chosen or added there, whatever name and e-mail they typed -- is
    ``room link · <session name>`` (so the room's copies are one per session and day)."""
    if link.invitee is not None and not link.invitee.from_room:
        return f"{link.invitee.name} {link.invitee.email}".strip()
    if link.personal:
        return _user_text(execute, link.maker_id)
    return ROOM_MARK + session.name


def media_rights(
    store: StoreParts, execute: Execute, link: Link, session: SessionView
) -> MediaRights:
    """``link``'s rights on ``session``'s media, from the session's settings as they are now."""
    if link.personal and manages(store, link.maker_id, session.id):
        return MediaRights(ORIGINAL, bound=False)
    settings = session_settings(execute, session.id)
    policy = settings.get(DOWNLOAD_POLICY, NONE).strip().lower()
    marked = settings.get(WATERMARK, "").strip().lower() == "true"
    return MediaRights(
        policy if policy in DOWNLOADS else NONE,
        bound=True,
        watermark=viewer_text(execute, link, session) if marked else "",
    )


def originals(execute: Execute, review_session_id: str) -> Dict[str, List[Tuple[str, str]]]:
    """The session's versions' other files (a source scene...), neither the review movie nor a
    thumbnail (by name, or as the version's thumbnail): version id -> [(component id, label)]."""
    objects = query(
        execute,
        "select version_id from ReviewSessionObject where review_session_id is "
        + quote(review_session_id),
    )
    versions = sorted({str(o["version_id"]) for o in objects if o.get("version_id")})
    if not versions:
        return {}
    listed = ", ".join(quote(v) for v in versions)
    thumbnails = {
        str(v["thumbnail_id"])
        for v in query(execute, f"select thumbnail_id from AssetVersion where id in ({listed})")
        if v.get("thumbnail_id")
    }
    found: Dict[str, List[Tuple[str, str]]] = {}
    fields = "id, name, file_type, version_id"
    for row in query(execute, f"select {fields} from Component where version_id in ({listed})"):
        if row.get("name") in REVIEW_MEDIA or str(row["id"]) in thumbnails:
            continue
        label = f"{row.get('name') or 'file'}{row.get('file_type') or ''}"
        found.setdefault(str(row["version_id"]), []).append((str(row["id"]), label))
    return found


def original_ids(execute: Execute, review_session_id: str) -> Set[str]:
    """The component ids of :func:`originals`."""
    return {ident for files in originals(execute, review_session_id).values() for ident, _ in files}


#: a file whose text is the date :func:`today` gives: tests move a server's day (midnight UTC)
TODAY_ENV = "FT_DCC_TEST_TODAY_FILE"


def today() -> str:
    """The date a watermark carries (UTC; a test's date from the file ``FT_DCC_TEST_TODAY_FILE``
    names, when set)."""
    injected = os.environ.get(TODAY_ENV)
    if injected:
        with open(injected, encoding="ascii") as handle:
            return dt.date.fromisoformat(handle.read().strip()).isoformat()
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
