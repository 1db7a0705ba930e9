"""Finding review sessions by the names people type, and catching the misspelt ones.

Review sessions are named by people ("Dailies 2026-11-22"), and names are unique only within a
project. These helpers turn a typed name into exactly one ``ReviewSession`` or an error that
says what to type instead: an unknown name lists the close ones, a name found in several
projects asks for ``--project``. :func:`near_names` is what a publish uses to stop a
misspelt ``--review-session`` from silently creating a new session (names the settings' template
makes for different dates or other values of its fields are never taken for typos).

Only standard ftrack queries are used, so this works against a real ftrack server too.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Iterable, List, Optional, Protocol, Sequence

from ft_dcc.exceptions import (
    FtDccError,
    InvalidEmailError,
    ReviewSessionClosedError,
    ReviewSessionMisspeltError,
    ReviewSessionNameError,
)
from ft_dcc.protocol.query_text import quote
from ft_dcc.session.interface import EntityLike, EntityOrId, PublishSession
from ft_dcc.settings.templates import made_by

#: a typed name this close (edits, case-insensitive) to an open session's is probably a typo
MAX_TYPO_DISTANCE = 2
SESSION_FIELDS = (
    "id, name, description, start_date, end_date, project_id, project.name, shareable_url_enabled"
)
#: something@domain.tld with no spaces: what ftrack accepts as an invitee's e-mail
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between ``a`` and ``b`` (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def close_matches(
    name: str, candidates: Iterable[str], limit: int = MAX_TYPO_DISTANCE
) -> List[str]:
    """The ``candidates`` within ``limit`` edits of ``name`` (case-insensitive: "dailies" is
    0 edits from "Dailies"), closest first; ``name`` itself is left out."""
    typed = name.strip().lower()
    scored = []
    for candidate in set(candidates):
        distance = edit_distance(typed, candidate.strip().lower())
        if candidate != name and distance <= limit:
            scored.append((distance, candidate))
    return [candidate for _, candidate in sorted(scored)]


def near_names(name: str, open_names: Iterable[str], template: Optional[str]) -> List[str]:
    """The open session names a publish into ``name`` is probably a misspelling of: those
    :func:`close_matches` finds, less the ones the settings' ``naming.review_session``
    ``template`` makes when it makes ``name`` too ("Dailies 2026-11-26" is no typo of
    yesterday's "Dailies 2026-11-25": the template made both, for different dates)."""
    close = close_matches(name, open_names)
    if not template or not made_by(template, name):
        return close
    return [other for other in close if not made_by(template, other)]


def check_emails(emails: Sequence[str]) -> List[str]:
    """The addresses stripped, or :class:`InvalidEmailError` naming every bad one."""
    cleaned = [e.strip() for e in emails]
    bad = [e for e in cleaned if not _EMAIL.match(e)]
    if bad:
        listed = ", ".join(repr(e) for e in bad)
        raise InvalidEmailError(
            f"not a valid e-mail address: {listed}", hint="give addresses like name@studio.com"
        )
    return cleaned


def open_filter(now: Optional[_dt.datetime] = None) -> str:
    """An ftrack filter matching sessions still open at ``now`` (their end date is later)."""
    moment = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    return f'end_date > "{moment.replace(tzinfo=None).isoformat(timespec="seconds")}"'


def open_session_names_query(project_id: str, now: Optional[_dt.datetime] = None) -> str:
    """The query of the names of ``project_id``'s open review sessions."""
    return (
        f"select name from ReviewSession where project_id is {quote(project_id)} "
        f"and {open_filter(now)}"
    )


def open_session_names(session: PublishSession, project: EntityOrId) -> List[str]:
    """The names of ``project``'s (entity or id) open review sessions."""
    project_id = project if isinstance(project, str) else project["id"]
    return [row["name"] for row in session.query(open_session_names_query(project_id)).all()]


def misspelt_session_error(name: str, matches: Sequence[str]) -> FtDccError:
    """The error of a publish into ``name`` when the open sessions ``matches`` are that close."""
    quoted = " or ".join(repr(m) for m in matches)
    error = ReviewSessionMisspeltError(
        f"no review session is called {name!r}, but {quoted} is open in this project: "
        "a misspelling?",
        hint=f"publish into {matches[0]!r}, or confirm {name!r} is a new session "
        "(ft-dcc publish --new-review-session, or farm submit --new-review-session)",
    )
    error.name, error.matches = name, tuple(matches)
    return error


class StepLike(Protocol):
    """A step of a publish report (``ft_dcc.publish.common.report.StepResult``)."""

    @property
    def error_type(self) -> Optional[str]: ...  # the exception's class name when it failed


class ReportLike(Protocol):
    """What :func:`misspelt_session_of` reads of a ``ft_dcc.publish.common.report.PublishReport``
    (review sits below publish, so it names the report by its members)."""

    @property
    def failed_steps(self) -> Sequence[StepLike]: ...

    @property
    def review_session_name(self) -> Optional[str]: ...


def misspelt_session_of(report: ReportLike) -> Optional[str]:
    """The review session name a publish refused as a probable misspelling, else None."""
    failed = [s for s in report.failed_steps if s.error_type == ReviewSessionMisspeltError.__name__]
    return report.review_session_name if failed else None


# -- finding sessions by name -----------------------------------------------------------------
def find_project(session: PublishSession, name_or_id: str) -> EntityLike:
    """The project called (or with the id, or the full name) ``name_or_id``."""
    value = quote(name_or_id)
    found = session.query(
        f"select id, name, full_name from Project where name is {value} or id is {value} "
        f"or full_name is {value}"
    ).all()
    if not found:
        names = sorted(p["name"] for p in session.query("select name from Project").all())
        raise ReviewSessionNameError(
            f"no project is called {name_or_id!r}",
            hint=f"use one of: {', '.join(names)}" if names else "create the project first",
        )
    return found[0]


def sessions_named(
    session: PublishSession, name: str, project: Optional[EntityLike] = None
) -> List[EntityLike]:
    """Every review session called ``name`` (in ``project`` when given)."""
    where = f"name is {quote(name)}"
    if project is not None:
        where += f" and project_id is {quote(project['id'])}"
    return list(session.query(f"select {SESSION_FIELDS} from ReviewSession where {where}").all())


def all_sessions(session: PublishSession, project: Optional[EntityLike] = None) -> List[EntityLike]:
    where = f" where project_id is {quote(project['id'])}" if project is not None else ""
    return list(session.query(f"select {SESSION_FIELDS} from ReviewSession{where}").all())


def session_names(session: PublishSession, project: Optional[EntityLike] = None) -> List[str]:
    """The names of every review session (in ``project`` when given): what a near miss is
    looked for among, read alone (whole sessions with long descriptions, a year of them, pass
    what a server answers in one reply)."""
    where = f" where project_id is {quote(project['id'])}" if project is not None else ""
    return [str(s["name"]) for s in session.query(f"select name from ReviewSession{where}").all()]


def resolve_session(
    session: PublishSession, name: str, project: Optional[EntityLike] = None
) -> EntityLike:
    """The one review session called ``name``; errors that say what to type instead."""
    found = sessions_named(session, name, project)
    if len(found) == 1:
        return found[0]
    if found:
        projects = ", ".join(sorted(str(s["project"]["name"]) for s in found))
        raise ReviewSessionNameError(
            f"{len(found)} review sessions are called {name!r} (in projects {projects})",
            hint="say which with --project PROJECT",
        )
    close = close_matches(name, session_names(session, project))
    where = f" in project {project['name']!r}" if project is not None else ""
    hint = (
        f"did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else "'ft-dcc review list' shows the sessions"
    )
    raise ReviewSessionNameError(f"no review session is called {name!r}{where}", hint=hint)


def ensure_open_for(review_session: EntityLike, what: str) -> None:
    """:class:`ReviewSessionClosedError` naming ``what`` could not be done on a closed session."""
    from ft_dcc.review import sessions as review

    if not review.is_open(review_session):
        raise ReviewSessionClosedError(
            f"review session {review_session['name']!r} is closed: cannot {what}",
            hint=f"reopen it first: ft-dcc review reopen {quote(review_session['name'])}",
        )
