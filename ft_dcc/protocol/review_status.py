"""Which workflow status a reviewer's verdict gives a version (and optionally its task).

Shared by the client's settings (``ft_dcc.settings`` declares and checks these keys) and the
embedded server (which applies them when a verdict is given on the review page): the keys, their
defaults and how they are read from the stored settings documents. A document is the JSON
``ft-dcc settings push`` stores: the studio's in ftrack's ``Setting`` row (group
:data:`STUDIO_SETTING_GROUP`, name :data:`STUDIO_SETTING_NAME`), a project's in the project's
``Metadata`` (``PROJECT_SETTINGS_KEY``); the project's wins over the studio's, both over the
defaults. A value is a status name (matched case-blind) or ``null``: leave that status alone.

Pure and stdlib only: imports on Python 3.9 with the core dependencies.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

STUDIO_SETTING_GROUP = "ft_dcc"
STUDIO_SETTING_NAME = "settings"

#: the verdicts a reviewer gives (ReviewSessionObjectStatus.status)
APPROVED = "approved"
REQUIRE_CHANGES = "require_changes"
#: a verdict as people say it (pages, exports, the audit trail)
VERDICT_WORDS = {APPROVED: "Approved", REQUIRE_CHANGES: "Changes requested"}

VERSION_ON_APPROVE = "review.status_on_approve"
VERSION_ON_CHANGES = "review.status_on_changes"
TASK_ON_APPROVE = "review.task_status_on_approve"
TASK_ON_CHANGES = "review.task_status_on_changes"

#: key -> default: ftrack's standard version statuses; the task is left alone unless set
DEFAULTS: Dict[str, Optional[str]] = {
    VERSION_ON_APPROVE: "Approved",
    VERSION_ON_CHANGES: "Requires Changes",
    TASK_ON_APPROVE: None,
    TASK_ON_CHANGES: None,
}
#: the keys naming a version status, and those naming a task status
VERSION_KEYS = (VERSION_ON_APPROVE, VERSION_ON_CHANGES)
TASK_KEYS = (TASK_ON_APPROVE, TASK_ON_CHANGES)
#: verdict -> (version key, task key)
KEYS_OF_VERDICT: Dict[str, Tuple[str, str]] = {
    APPROVED: (VERSION_ON_APPROVE, TASK_ON_APPROVE),
    REQUIRE_CHANGES: (VERSION_ON_CHANGES, TASK_ON_CHANGES),
}


def verdict_word(status: str) -> str:
    """How a verdict (or any status value) reads to a person: "Changes requested", not
    ``require_changes``."""
    return VERDICT_WORDS.get(status, status.replace("_", " ").capitalize())


def overall_verdict(current: Iterable[str]) -> Optional[str]:
    """The verdict on a version from every reviewer's current one: one "changes" holds it
    until that reviewer approves; approved when someone approved and nobody asks for changes."""
    verdicts = set(current)
    if REQUIRE_CHANGES in verdicts:
        return REQUIRE_CHANGES
    return APPROVED if APPROVED in verdicts else None


def _flat(values: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    flat: Dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def document_values(
    text: object, defaults: Mapping[str, Optional[str]] = DEFAULTS
) -> Dict[str, Optional[str]]:
    """The keys of ``defaults`` (the review status keys unless given) a stored settings
    document sets (unreadable: none)."""
    try:
        document = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    settings = document.get("settings") if isinstance(document, dict) else None
    if not isinstance(settings, dict):
        return {}
    flat = _flat(settings)
    return {
        key: flat[key]
        for key in defaults
        if key in flat and (flat[key] is None or isinstance(flat[key], str))
    }


def status_settings(
    documents: Iterable[object], defaults: Mapping[str, Optional[str]] = DEFAULTS
) -> Dict[str, Optional[str]]:
    """The ``defaults`` (the review status keys unless given) overlaid with each stored
    document's values, lowest first."""
    values = dict(defaults)
    for text in documents:
        values.update(document_values(text, defaults))
    return values


def find_status(name: Optional[str], statuses: Mapping[str, str]) -> Optional[str]:
    """The id of the status called ``name`` (case-blind) among ``statuses`` (id -> name)."""
    if not name:
        return None
    wanted = name.strip().casefold()
    for ident, known in statuses.items():
        if known.strip().casefold() == wanted:
            return ident
    return None


def unknown_statuses(
    values: Mapping[str, object], version_names: Iterable[str], task_names: Iterable[str]
) -> List[Tuple[str, str, List[str]]]:
    """(key, name, valid names) for each value that is no status of its workflow."""
    valid = {"version": sorted(set(version_names)), "task": sorted(set(task_names))}
    problems = []
    for key, value in values.items():
        if key not in DEFAULTS or not isinstance(value, str) or not value.strip():
            continue
        names = valid["task" if key in TASK_KEYS else "version"]
        if value.strip().casefold() not in {n.casefold() for n in names}:
            problems.append((key, value, names))
    return problems
