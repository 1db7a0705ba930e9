"""A task type given to ``settings show --task-type``: one the server (or, offline, a profile)
knows, else refused with the nearest one; a typo never silently selects no profile."""

from __future__ import annotations

import difflib
import os
from typing import List, Optional, Sequence

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.resolve import Resolved, Source


def profile_task_types(sources: Sequence[Source]) -> List[str]:
    """The task types the profiles of ``sources`` name, each once."""
    names = (name for s in sources for p in s.document.profiles for name in p.task_types)
    return list(dict.fromkeys(names))


def _nearest(name: str, known: Sequence[str]) -> Optional[str]:
    by_lower = {k.lower(): k for k in known}
    near = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[near[0]] if near else None


def check(
    task_type: str, server: Optional[Sequence[str]], sources: Sequence[Source], resolved: Resolved
) -> None:
    """Refuse ``task_type`` when it is none of the ``server``'s task types (naming the nearest
    and saying that no profile by task type applies); offline (``server`` None), a type no
    profile names but one nearly does adds that to ``resolved.unmatched``."""
    named = profile_task_types(sources)
    if server is not None and task_type.lower() not in {k.lower() for k in server}:
        near = _nearest(task_type, [*server, *named])
        hint = f"did you mean {near!r}? " if near else ""
        url = os.environ.get("FTRACK_SERVER", "the ftrack server")
        raise SettingsError(
            f"{task_type!r} is no task type on {url}, so no profile by task type applies",
            hint=f"{hint}its task types: {', '.join(sorted(server)) or 'none'}",
        )
    if server is None and task_type.lower() not in {k.lower() for k in named}:
        near = _nearest(task_type, named)
        if near is not None:
            resolved.unmatched.append(
                f"no profile names the task type {task_type!r}: did you mean {near!r}?"
            )
