"""Which layer may hold which key, and why not: a value is either used where it is set or refused
when its document is checked (``settings check``/``push``, and every read), naming the reason.

- the **hosts** a profile names must be hosts ft_dcc publishes from;
- a profile naming **asset types** is refused: no publish knows its asset type (``ft-dcc
  publish`` and the host panels give none), so it would never apply;
- ``paths.task_templates`` in a profile naming **task types**: the templates are what find the
  task, so its type is not known when they are read;
- ``review.*`` in **any profile**: the server reads them when a reviewer gives a verdict, from
  the studio's and the project's ``settings`` (a verdict has no host or task type);
- ``review.*`` from the artist (``--set``): a publish does not read them;
- ``review.*`` in the **settings file** are not used (the server reads only what was pushed to
  it): the resolver leaves them out and says so (:func:`unused_in_file`).
"""

from __future__ import annotations

import difflib
from typing import Iterable, List, Optional, Tuple

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.hosts import HOSTS

SERVER_READ = "review."
TEMPLATES = "paths.task_templates"
PUSH_HINT = "set it in the studio's or the project's settings and push them (ft-dcc settings push)"


def _server_read(key: str) -> bool:
    return key.startswith(SERVER_READ)


def check_hosts(hosts: Tuple[str, ...], where: str) -> None:
    """Refuse a host ft_dcc does not publish from, naming the known ones."""
    known = {host.lower() for host in HOSTS}
    for host in hosts:
        if host.lower() not in known:
            near = difflib.get_close_matches(host.lower(), HOSTS, n=1, cutoff=0.5)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise SettingsError(
                f"{where}: unknown host {host!r}",
                hint=f"{hint}the hosts are {', '.join(HOSTS)}",
            )


def check_profile(
    keys: Iterable[str], task_types: Tuple[str, ...], asset_types: Tuple[str, ...],
    where: str,
) -> None:  # fmt: skip
    """Refuse a profile holding a key its filters would never let a reader use."""
    if asset_types:
        raise SettingsError(
            f"{where}: a profile cannot choose by asset_types: no publish knows its asset type "
            "(ft-dcc publish and the host panels give none), so it would never apply",
            hint="remove asset_types (choose by hosts and task_types)",
        )
    for key in keys:
        if _server_read(key):
            raise SettingsError(
                f"{where}: {key} cannot be set in a profile: the ftrack server reads it when a "
                "reviewer gives a verdict, from the studio's and the project's settings (a "
                "verdict has no host or task type)",
                hint="move it to the document's settings",
            )
        if key == TEMPLATES and task_types:
            raise SettingsError(
                f"{where}: {TEMPLATES} cannot be set in a profile that names task_types: the "
                "templates are what find the task, so its type is not known when they are read",
                hint="set it in settings, or in a profile that names only hosts",
            )


def check_artist(key: str) -> None:
    """Refuse ``--set KEY=…`` for a key a publish does not read."""
    if _server_read(key):
        raise SettingsError(
            f"--set {key}: a publish does not read {key}; the ftrack server does, when a "
            "reviewer gives a verdict",
            hint=PUSH_HINT,
        )


READ_BY_SERVER = "the ftrack server reads review.* only from the settings pushed to it"


def unused_in_file(keys: List[str], origin: str) -> Optional[str]:
    """The note saying that ``keys`` of the settings file (``origin``) are not used."""
    unused = [key for key in keys if _server_read(key)]
    if not unused:
        return None
    verb = "is" if len(unused) == 1 else "are"
    return f"{', '.join(unused)} in {origin} {verb} not used: {READ_BY_SERVER}"


def pushed_only(keys: List[str]) -> Optional[str]:
    """What ``settings check`` says of a file's ``keys`` that apply only once pushed."""
    unused = [key for key in keys if _server_read(key)]
    if not unused:
        return None
    verb = "applies" if len(unused) == 1 else "apply"
    return (
        f"{', '.join(unused)} {verb} once this file is pushed (ft-dcc settings push), not from "
        f"$FT_DCC_SETTINGS: {READ_BY_SERVER}"
    )


def server_only(key: str) -> bool:
    """Whether only the server's stored documents may give ``key`` (the file's is not used)."""
    return _server_read(key)
