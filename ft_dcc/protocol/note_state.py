"""What a note is and where it stands, one copy for the client's exports and the server's desk:
a to-do (``Note.is_todo``), a comment or a reply; a to-do is open until completed
(``completed_at``), then addressed -- by the version whose publish completed it, named in the
reply that publish wrote (:func:`addressed_reply`, ``ft-dcc publish --addresses``). Pure and
stdlib only: imports on Python 3.9 with the core dependencies.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Tuple

#: the reply a publish writes under each note it addresses ("Addressed in shot v002.")
ADDRESSED_REPLY = "Addressed in {version}."
_ADDRESSED = re.compile(r"^Addressed in (?P<version>\S(?:.*\S)?)\.$")

TODO, COMMENT, REPLY = "to-do", "comment", "reply"
OPEN, ADDRESSED = "open", "addressed"


def addressed_reply(version_name: str) -> str:
    """The reply's text naming the version that addresses a note."""
    return ADDRESSED_REPLY.format(version=version_name)


def note_kind(is_todo: object, in_reply_to_id: object) -> str:
    """``to-do``, ``comment`` or ``reply``."""
    return REPLY if in_reply_to_id else TODO if is_todo else COMMENT


def note_state(is_todo: object, in_reply_to_id: object, completed_at: object) -> str:
    """A to-do's ``open`` or ``addressed``; "" for a comment or a reply."""
    if note_kind(is_todo, in_reply_to_id) != TODO:
        return ""
    return ADDRESSED if completed_at not in (None, "") else OPEN


def addressed_by(
    completed_at: object,
    completed_by_id: Optional[str],
    replies: Iterable[Tuple[str, Optional[str]]],
) -> str:
    """The version that addressed a completed to-do ("shot v002"): the last of its ``replies``
    (``(content, author id)``, oldest first) that its completer wrote as
    :func:`addressed_reply`; "" when it is open or was completed otherwise."""
    if completed_at in (None, ""):
        return ""
    found = ""
    for content, author_id in replies:
        match = _ADDRESSED.match((content or "").strip())
        if match and (not completed_by_id or author_id == completed_by_id):
            found = match.group("version")
    return found
