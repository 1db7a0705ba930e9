"""Review-session helpers on top of ftrack's real ReviewSession entities.

Concepts that tutorials describe with entities ftrack does not have map onto the real schema:

- a session is *closed* when its ``end_date`` has passed (:func:`close_review_session` sets it to
  now; the server computes ``is_open`` from it); nothing can be added to a closed session;
- a session is *private* when its shareable link is off and only its invitees
  (``ReviewSessionInvitee``) are let in;
- the media of a reviewed item are the components of its ``AssetVersion``; a
  ``ReviewSessionObject`` links the version into the session;
- feedback is the ``Note`` entities on each ``ReviewSessionObject`` and the per-invitee
  ``ReviewSessionObjectStatus`` rows (read by :mod:`ft_dcc.review.feedback`).

Every helper takes an ``ft_dcc.Session`` (or anything with the same API).
"""

from __future__ import annotations

import datetime as _dt
import logging
import uuid
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, TypedDict, Union

from ft_dcc.exceptions import ReviewSessionClosedError
from ft_dcc.protocol.query_text import quote as _quote
from ft_dcc.session.interface import EntityLike, EntityOrId, PublishSession
from ft_dcc.session.replies import widget_url

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

log = logging.getLogger(__name__)

#: a new review session stays open this long unless closed earlier
DEFAULT_OPEN_DAYS = 30
DEFAULT_NAME_FORMAT = "Dailies {date:%Y-%m-%d}"


def _id(entity_or_id: EntityOrId) -> str:
    return entity_or_id if isinstance(entity_or_id, str) else entity_or_id["id"]


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _aware(value: Any) -> Optional[_dt.datetime]:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if hasattr(value, "datetime") and not isinstance(value, _dt.datetime):  # arrow-like
        value = value.datetime
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value


#: who is invited: an e-mail address, a ``{"email", "name"}`` dict or a User entity
Invitee = Union[str, Dict[str, str], EntityLike]

#: namespace of the ids ft_dcc derives for entities that racing publishes may both create
ID_NAMESPACE = uuid.UUID("5b0d6f0e-5c52-4f0e-9a35-2f3c1c6e7a11")


#: the generations of a derived id a client walks before giving up (see :func:`derived_id`)
MAX_GENERATIONS = 32


def derived_id(entity_type: str, *parts: str, generation: int = 0) -> str:
    """The id a client gives the ``entity_type`` named by ``parts`` (uuid5): two publishes
    creating "the same" entity at once send the same id, so the server keeps one and refuses
    the other, which then finds it instead of making a duplicate.

    The server never takes the id of a deleted row again (``DeletedIdError``); the row made
    again under the same name takes the next ``generation`` (1, 2, … below
    :data:`MAX_GENERATIONS`). Generation 0 is the id as it always was, so servers and queued
    publishes from before generations agree; racing publishes walk the same sequence and still
    meet on one row."""
    named = "\x00".join((entity_type, *parts))
    if generation:
        named += f"\x00\x01generation {int(generation)}"
    return str(uuid.uuid5(ID_NAMESPACE, named))


def review_session_id_for(project: EntityOrId, name: str, generation: int = 0) -> str:
    """The id a new review session ``name`` in ``project`` gets (see :func:`derived_id`)."""
    return derived_id("ReviewSession", _id(project), name, generation=generation)


def default_review_session_name(today: Optional[_dt.date] = None) -> str:
    """The dated default, e.g. ``"Dailies 2026-11-22"`` (local date of the artist)."""
    from ft_dcc.settings.templates import current_date  # $FT_DCC_TODAY, else the local date

    return DEFAULT_NAME_FORMAT.format(date=today or current_date())


# -- sessions ---------------------------------------------------------------------------------
def find_review_session(
    session: PublishSession, project: EntityOrId, name: str
) -> Optional[EntityLike]:
    """The review session called ``name`` in ``project`` (entity or id), or None."""
    fields = "id, name, start_date, end_date, project_id"
    return _first(session, "ReviewSession", fields, project_id=_id(project), name=name)


class ReviewSessionData(TypedDict):
    """The values of a new ReviewSession (:func:`review_session_data`)."""

    id: str
    name: str
    description: str
    project_id: str
    start_date: _dt.datetime  # aware, UTC
    end_date: _dt.datetime


class NewSessionOptions(TypedDict, total=False):
    """The keywords of a new review session (:func:`review_session_data`)."""

    id: Optional[str]  # derived from project and name when missing
    days_open: int  # DEFAULT_OPEN_DAYS when missing


def review_session_data(
    project: EntityOrId, name: str, description: str = "", **options: Unpack[NewSessionOptions]
) -> ReviewSessionData:
    """The values of a new review session, open from now for ``days_open`` days; its id is
    derived from project and name unless given."""
    start = _now()
    return {
        "id": options.get("id") or review_session_id_for(project, name),
        "name": name,
        "description": description,
        "project_id": _id(project),
        "start_date": start,
        "end_date": start + _dt.timedelta(days=options.get("days_open", DEFAULT_OPEN_DAYS)),
    }


def create_review_session(
    session: PublishSession,
    project: EntityOrId,
    name: str,
    description: str = "",
    **options: Unpack[NewSessionOptions],
) -> EntityLike:
    """Create (not commit) a review session open from now for ``days_open`` days."""
    return session.create(
        "ReviewSession", review_session_data(project, name, description, **options)
    )


def find_or_create_review_session(
    session: PublishSession,
    project: EntityOrId,
    name: str,
    description: str = "",
    *,
    commit: bool = True,
) -> EntityLike:
    """The review session ``name`` in ``project``, created when missing."""
    found = find_review_session(session, project, name)
    if found is not None:
        return found
    created = create_review_session(session, project, name, description)
    if commit:
        session.commit()
    return created


def is_open(review_session: EntityLike, now: Optional[_dt.datetime] = None) -> bool:
    """True while new content may be added: its ``end_date`` has not passed."""
    end = _aware(review_session["end_date"])
    return end is None or end > (now or _now())


def ensure_open(review_session: EntityLike) -> None:
    """Raise :class:`ReviewSessionClosedError` when ``review_session`` is closed."""
    if not is_open(review_session):
        end = _aware(review_session["end_date"])
        raise ReviewSessionClosedError(
            f"review session {review_session['name']!r} was closed on {end:%Y-%m-%d %H:%M} UTC"
        )


def close_review_session(session: PublishSession, review_session: EntityLike) -> EntityLike:
    """Close a session now: nothing more can be added to it (its ``end_date`` becomes now)."""
    review_session["end_date"] = _now() - _dt.timedelta(seconds=1)
    session.commit()
    return review_session


def reopen_review_session(
    session: PublishSession, review_session: EntityLike, days_open: int = DEFAULT_OPEN_DAYS
) -> EntityLike:
    """Open a closed session again for ``days_open`` days."""
    review_session["end_date"] = _now() + _dt.timedelta(days=days_open)
    session.commit()
    return review_session


def review_link_operation(review_session: EntityOrId) -> Dict[str, object]:
    """The ``get_widget_url`` operation asking for ``review_session``'s review-page link."""
    return {
        "action": "get_widget_url",
        "name": "review_session",
        "entity_type": "ReviewSession",
        "entity_key": [_id(review_session)],
    }


def review_page_url(session: PublishSession, review_session: EntityOrId) -> str:
    """Where reviewers watch ``review_session`` in a browser.

    Asks the server for a signed review-page link (``get_widget_url`` ``review_session``,
    as the embedded server offers); a server without that widget gets the web app's
    ``#entityType=reviewsession&entityId=...`` address. Neither carries the API key.
    """
    from ft_dcc.exceptions import ServerError

    try:
        url = widget_url(session.call([review_link_operation(review_session)])[0])
        if url:
            return url
    except ServerError as exc:
        log.debug("no review_session widget on this server: %s", exc)
    base = str(session.server_url).rstrip("/")
    return f"{base}/#entityType=reviewsession&entityId={_id(review_session)}"


# -- content ----------------------------------------------------------------------------------
def version_label(version: EntityLike) -> str:
    number = version["version"]
    return f"v{int(number):03d}" if number is not None else ""


def find_review_object(
    session: PublishSession, review_session: EntityOrId, version: EntityOrId
) -> Optional[EntityLike]:
    fields = "id, name, version, version_id, review_session_id"
    where = {"review_session_id": _id(review_session), "version_id": _id(version)}
    return _first(session, "ReviewSessionObject", fields, **where)


def _first(
    session: PublishSession, entity_type: str, fields: str, **where: str
) -> Optional[EntityLike]:
    """The first ``entity_type`` (with ``fields``) whose attributes equal ``where``, or None."""
    condition = " and ".join(f"{name} is {_quote(value)}" for name, value in where.items())
    return session.query(f"select {fields} from {entity_type} where {condition}").first()


class _ReviewObjectFields(TypedDict):
    review_session_id: str
    version_id: str
    name: str
    description: str
    version: str  # the label shown, "v003" ("" when unknown)


class ReviewObjectData(_ReviewObjectFields, total=False):
    """The values of a new ReviewSessionObject (:func:`review_object_data`)."""

    id: str  # given when the caller chose it; else the server makes one


def review_object_data(
    review_session: EntityOrId,
    version: EntityOrId,
    name: str,
    *,
    description: str = "",
    label: str = "",
    id: Optional[str] = None,
) -> ReviewObjectData:
    """The values of the ReviewSessionObject that puts ``version`` into ``review_session``.

    No ``sort_order``: the server appends the object after the session's last one, so
    publishes adding to one session at the same time never share a place.
    """
    data: ReviewObjectData = {
        "review_session_id": _id(review_session),
        "version_id": _id(version),
        "name": name,
        "description": description,
        "version": label,
    }
    if id:
        data["id"] = id
    return data


def add_version(
    session: PublishSession,
    review_session: EntityLike,
    version: EntityOrId,
    *,
    name: Optional[str] = None,
    description: str = "",
    commit: bool = True,
) -> EntityLike:
    """Add ``version`` (an AssetVersion) to ``review_session``; the existing object if already in.

    Raises :class:`ReviewSessionClosedError` (writing nothing) when the session is closed.
    """
    existing = find_review_object(session, review_session, version)
    if existing is not None:
        return existing
    ensure_open(review_session)
    if name is None:
        name = session.query(
            f"select asset.name from AssetVersion where id is {_quote(_id(version))}"
        ).one()["asset"]["name"]
    label = version_label(version) if not isinstance(version, str) else ""
    data = review_object_data(review_session, version, name, description=description, label=label)
    created = session.create("ReviewSessionObject", data)
    if commit:
        session.commit()
    return created


# -- invitees ---------------------------------------------------------------------------------
def _invitee_fields(invitee: Invitee) -> Dict[str, str]:
    if isinstance(invitee, str):
        return {"email": invitee, "name": invitee.split("@", 1)[0]}
    if isinstance(invitee, dict):
        email = invitee["email"]
        return {"email": email, "name": invitee.get("name") or email.split("@", 1)[0]}
    # a User entity
    name = " ".join(p for p in (invitee["first_name"], invitee["last_name"]) if p)
    return {"email": invitee["email"], "name": name or invitee["username"]}


def add_invitees(
    session: PublishSession,
    review_session: EntityOrId,
    invitees: Iterable[Invitee],
    *,
    commit: bool = True,
) -> List[EntityLike]:
    """Invite people (emails, ``{"name", "email"}`` dicts or User entities); idempotent by email."""
    existing = {
        (row["email"] or "").lower(): row
        for row in session.query(
            "select id, name, email from ReviewSessionInvitee "
            f"where review_session_id is {_quote(_id(review_session))}"
        ).all()
    }
    result = []
    for invitee in invitees:
        fields = _invitee_fields(invitee)
        row = existing.get(fields["email"].lower())
        if row is None:
            row = session.create(
                "ReviewSessionInvitee", dict(fields, review_session_id=_id(review_session))
            )
            existing[fields["email"].lower()] = row
        result.append(row)
    if commit:
        session.commit()
    return result


def make_private(
    session: PublishSession,
    review_session: EntityLike,
    invitees: Iterable[Invitee] = (),
    *,
    commit: bool = True,
) -> List[EntityLike]:
    """Turn the shareable link off so only invitees get in; add ``invitees``."""
    review_session["shareable_url_enabled"] = False
    added = add_invitees(session, review_session, invitees, commit=False)
    if commit:
        session.commit()
    return added


def send_review_session_invites(session: PublishSession, invitees: Iterable[EntityOrId]) -> None:
    """Ask the server to e-mail each (committed) invitee their link."""
    operations = [
        {"action": "send_review_session_invite", "review_session_invitee_id": _id(invitee)}
        for invitee in invitees
    ]
    if operations:
        session.call(operations)
