"""The work behind ``ft-dcc review`` (see :mod:`ft_dcc.review.commands`): sessions, links and
feedback as text, with standard ftrack API calls only.

Links: ``get_widget_url`` ``review_session`` is asked for the page of a session (the room's
shared link: it acts as no one), of the session list (no entity), of an invitee
(``entity_type="ReviewSessionInvitee"``: a link that acts as that invitee) and the caller's own
(``purpose="personal"``: it acts as the caller, short-lived). A server without that widget
(a real ftrack server) gets ftrack's own web-app address for a session; ftrack e-mails
invitees their links itself. The embedded server e-mails no one: ``ft-dcc review invite`` prints
each invitee's own link for the inviter to send.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypedDict

from ft_dcc.exceptions import (
    DeletedIdError,
    ReviewSessionNameError,
    ServerError,
    UnexpectedReplyError,
)
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.review import sessions as review
from ft_dcc.review.client_rules import ClientRules, studio_defaults, with_defaults
from ft_dcc.review.client_write import apply_rules
from ft_dcc.review.feedback import FeedbackNote, VersionFeedback, status_word
from ft_dcc.review.names import all_sessions, find_project, sessions_named
from ft_dcc.session.interface import EntityLike, EntityOrId, PublishSession
from ft_dcc.session.replies import widget_url

log = logging.getLogger(__name__)

#: what a new session is given before its one commit: ``contents(review_session, project)``
Contents = Callable[[EntityLike, EntityLike], None]


def _date(value: Any) -> Optional[str]:
    aware = review._aware(value)
    return aware.strftime("%Y-%m-%d %H:%M UTC") if aware is not None else None


class SessionRow(TypedDict):
    """One review session as ``ft-dcc review list`` shows it (``--json`` prints these)."""

    id: str
    name: str
    project: str  # the project's name
    open: bool
    private: bool  # its shareable link is off
    description: str
    start_date: Optional[str]  # "YYYY-MM-DD HH:MM UTC"
    end_date: Optional[str]
    versions: int


def session_rows(session: PublishSession, project: Optional[EntityLike] = None) -> List[SessionRow]:
    """Each review session as a plain dict: open ones first, newest first."""
    sessions = all_sessions(session, project)
    counts: Dict[str, int] = {}
    if sessions:
        ids = quoted_list(s["id"] for s in sessions)
        for row in session.query(
            f"select review_session_id from ReviewSessionObject where review_session_id in ({ids})"
        ).all():
            counts[row["review_session_id"]] = counts.get(row["review_session_id"], 0) + 1
    rows: List[SessionRow] = [
        {
            "id": s["id"],
            "name": s["name"],
            "project": s["project"]["name"],
            "open": review.is_open(s),
            "private": s["shareable_url_enabled"] is False,
            "description": s["description"] or "",
            "start_date": _date(s["start_date"]),
            "end_date": _date(s["end_date"]),
            "versions": counts.get(s["id"], 0),
        }
        for s in sessions
    ]
    rows.sort(key=lambda r: r["start_date"] or "", reverse=True)
    rows.sort(key=lambda r: not r["open"])
    return rows


def project_for_create(session: PublishSession, project_name: Optional[str]) -> EntityLike:
    if project_name:
        return find_project(session, project_name)
    projects = session.query("select id, name from Project").all()
    if len(projects) == 1:
        return projects[0]
    names = ", ".join(sorted(p["name"] for p in projects)) or "none yet"
    raise ReviewSessionNameError(
        "which project is the review session for?",
        hint=f"say --project PROJECT (projects: {names})",
    )


def create_session(
    session: PublishSession,
    name: str,
    project_name: Optional[str],
    *,
    private: bool = False,
    description: str = "",
    rules: Optional[ClientRules] = None,
    contents: Optional[Contents] = None,
) -> Tuple[EntityLike, str, ClientRules]:
    """Create the review session ``name`` (refused when the project has one of that name) with
    its client ``rules`` (the studio's ``client_review.*`` where they say nothing) and what
    ``contents`` adds to it (given the session and the project), in one commit; returns it
    (with ``project`` read), its link and the rules it was given."""
    if not name.strip():
        raise ReviewSessionNameError(
            "a review session needs a name", hint='e.g. "Dailies 2026-11-23"'
        )
    project = project_for_create(session, project_name)
    existing = sessions_named(session, name, project)
    if existing:
        state = "open" if review.is_open(existing[0]) else "closed (ft-dcc review reopen NAME)"
        raise ReviewSessionNameError(
            f"project {project['name']!r} already has a review session called {name!r}: {state}",
            hint="use it, or choose another name",
        )
    defaults = studio_defaults(session, project["name"])
    given = with_defaults(rules or ClientRules(), defaults)
    for generation in range(review.MAX_GENERATIONS):
        ident = review.review_session_id_for(project, name, generation)
        try:
            created = _create(session, project, name, description, ident, private, given,
                              defaults.open_days, contents)  # fmt: skip
            break
        except DeletedIdError as refused:  # a deleted session's name: its id's next generation
            session.rollback()
            if refused.entity_id != ident or generation + 1 == review.MAX_GENERATIONS:
                raise
    url = review.review_page_url(session, created)
    return sessions_named(session, name, project)[0], url, given


def _create(
    session: PublishSession, project: EntityLike, name: str, description: str, ident: str,
    private: bool, rules: ClientRules, days: int, contents: Optional[Contents] = None,
) -> EntityLike:  # fmt: skip
    """Create and commit the session ``ident`` with its rules and contents (one commit)."""
    created = review.create_review_session(
        session, project, name, description, id=ident, days_open=days
    )
    if private:
        created["shareable_url_enabled"] = False
    apply_rules(session, created, rules, existing={})
    if contents is not None:
        contents(created, project)
    session.commit()
    return created


def session_link(session: PublishSession, review_session: Optional[EntityOrId]) -> str:
    """The page of ``review_session``, or of the session list when None."""
    if review_session is not None:
        return review.review_page_url(session, review_session)
    try:
        url = widget_url(session.call([{"action": "get_widget_url", "name": "review_session"}])[0])
        if url:
            return url
    except ServerError as exc:
        log.debug("no review_session widget on this server: %s", exc)
    return str(session.server_url).rstrip("/")  # ftrack's web app: its Reviews are there


def find_invitee(session: PublishSession, review_session: EntityLike, email: str) -> EntityLike:
    """The invitee ``email`` of ``review_session`` (case-blind); an error naming who is."""
    invitees = session.query(
        "select id, name, email from ReviewSessionInvitee "
        f"where review_session_id is {quote(review_session['id'])}"
    ).all()
    match = [i for i in invitees if (i["email"] or "").lower() == email.strip().lower()]
    if not match:
        invited = ", ".join(sorted(i["email"] for i in invitees)) or "nobody yet"
        raise ReviewSessionNameError(
            f"{email} is not invited to {review_session['name']!r} (invited: {invited})",
            hint=f"invite them first: ft-dcc review invite {quote(review_session['name'])} {email}",
        )
    return match[0]


def invitee_link(session: PublishSession, review_session: EntityLike, email: str) -> str:
    """The link that acts as the invitee ``email`` of ``review_session``."""
    operation = {
        "action": "get_widget_url",
        "name": "review_session",
        "entity_type": "ReviewSessionInvitee",
        "entity_key": [find_invitee(session, review_session, email)["id"]],
    }
    try:
        url = widget_url(session.call([operation])[0])
        if url is None:
            raise UnexpectedReplyError(f"The ftrack server gave no link for {email}")
        return url
    except ServerError as exc:
        raise ServerError(
            f"this server gives no link per invitee ({exc.message})",
            hint="ftrack e-mails invitees their own links: 'ft-dcc review invite' sends them again",
        ) from None


def personal_link(
    session: PublishSession, review_session: EntityLike, expires_in: Optional[int] = None
) -> str:
    """The caller's own link to ``review_session``: it acts as the caller (the owner presents,
    draws and gives verdicts as themselves), short-lived; asked with the caller's API key
    (``get_widget_url`` ``review_session`` with ``purpose="personal"``). Share the session's
    room link instead (:func:`session_link`): this one is yours."""
    operation: Dict[str, object] = dict(review.review_link_operation(review_session),
                                        purpose="personal")  # fmt: skip
    if expires_in is not None:
        operation["expires_in"] = expires_in
    try:
        url = widget_url(session.call([operation])[0])
    except ServerError as exc:
        raise ServerError(
            f"this server gives no personal review link ({exc.message})",
            hint="open the session in the ftrack web app, where you are signed in as yourself",
        ) from None
    if url is None:
        raise UnexpectedReplyError("The ftrack server gave no personal review link")
    return url


def watch_lines(session: PublishSession, created: EntityLike, url: str) -> List[str]:
    """What ``review create`` prints to watch ``created`` (its room link ``url``): a private
    session's room link opens for invitees only, so its creator gets their own link (it acts as
    them); on a server without personal links (ftrack), the session's address."""
    if created["shareable_url_enabled"] is not False:
        return [f"Watch it: {url}"]
    try:
        own = personal_link(session, created)
    except ServerError as exc:
        log.debug("no personal link on this server: %s", exc.message)
        return [f"Watch it: {url}"]
    name = quote(created["name"])
    return [
        f"Watch it: {own}",
        "  (your own link: it acts as you and works for an hour; a new one: "
        f"ft-dcc review open {name})",
        f"  A private session opens for its invitees: ft-dcc review invite {name} EMAIL...",
    ]


def invitation_lines(
    session: PublishSession, review_session: EntityLike, emails: Sequence[str]
) -> List[str]:
    """After ``review invite``: each invitee's own link to send them (the embedded server
    e-mails no one), or, on a server that gives no link per invitee (ftrack), that it e-mails
    them."""
    try:
        links = [(email, invitee_link(session, review_session, email)) for email in emails]
    except ServerError as exc:
        log.debug("no invitee links on this server: %s", exc.message)
        return ["The ftrack server e-mails each of them their own link."]
    return [
        "This server sends no e-mail: send each invitee their own link (it acts as them):",
        *(f"  {email}  {link}" for email, link in links),
    ]


# -- feedback as text -------------------------------------------------------------------------
def _note_lines(note: FeedbackNote, indent: str) -> List[str]:
    frame = f"frame {note.frame}" if note.frame is not None else "no frame"
    if note.frame is not None and note.frame_out is not None:
        frame = f"frames {note.frame}-{note.frame_out}"
    lines = [f"{indent}[{frame}] {note.author or 'unknown'}: {note.content}"]
    lines += [f"{indent}    drawing: {url}" for url in note.drawings]
    for reply in note.replies:
        lines += _note_lines(reply, indent + "    > ")
    return lines


def feedback_lines(name: str, feedback: Sequence[VersionFeedback]) -> List[str]:
    """``ft-dcc review feedback`` as text: per version its statuses, then its notes."""
    if not feedback:
        return [f"{name!r} has no versions yet."]
    lines = [f"Feedback in {name!r}:"]
    for version in feedback:
        lines.append("")
        hint = f"  ({version.addressed_hint})" if version.addressed_hint else ""
        lines.append((version.label or version.review_session_object_id) + hint)
        for status in version.statuses:
            who = status.reviewer or status.email
            lines.append(f"  {status_word(status.status)}: {who} <{status.email}>")
        if not version.statuses:
            lines.append("  no decision yet")
        for note in version.notes:
            lines += _note_lines(note, "  ")
        if not version.notes:
            lines.append("  no notes")
    return lines
