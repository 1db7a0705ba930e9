"""How the parallel run (``pytest -n 4 --dist loadgroup``) hands tests to its workers (loaded
from the root conftest).

Under ``--dist loadgroup`` pytest-xdist hands out the tests one by one, to whichever worker is
free, unless a test names an ``xdist_group``; the tests of one group go to one worker together,
the groups before the rest, the largest first.

- **Shared fixtures, one worker.** A module-scoped fixture (a server, a published dailies) or a
  parametrised session-scoped one (``trust_world``) is built once per worker that runs one of
  its tests. Handed out one by one, a module's tests reached every worker, so each built the
  module's fixture again; and a worker given a ``trust_world[postgresql…]`` test between two
  ``[sqlite]`` ones tore the SQLite world down and built it anew. Each test that uses such a
  fixture is put in a group named after the instance (the session fixture or the module, with
  the parameters), so each instance is built once in the run.
- **One worker for the PostgreSQL server.** ``pg_server`` (4 server processes on PostgreSQL) is
  session-scoped and unparametrised, so it had no group: every worker that met one of its tests
  built its own, and each idled through the rest of the run. Its tests form one group, whether
  they name it or reach it through a parametrised fixture (``request.getfixturevalue``), whose
  parameter says so with ``support.groups.on_pg_server``.
- **A group's own fixtures end with it.** A session-scoped fixture instance that only one
  group's tests use (``pg_server``, each ``trust_world``) idled through the rest of the run on
  its worker once the group was done: a PostgreSQL server's five processes for minutes. The
  worker runs a group's tests one after another (they come to it together) and knows its next
  test before it runs one, so after the group's last test it ends each session-scoped instance
  set up during the group that no test outside the group names (the same fixture parameter, if
  any). A test that asked for one again would get a new one; without ``--dist loadgroup`` a
  group's tests are not together and nothing ends early.
- **Firefox on one worker.** A worker's Firefox is handed from test to test
  (``web.firefox.firefox``), but the Firefox tests went out to three workers, each launching
  its own (3.7 CPU-s a launch and close) and keeping it minutes after its last test. Every test
  that uses a fixture named ``firefox``, with the tests of its module's group, is in
  :data:`FIREFOX_GROUP`, the browser's own tests (which close it) last; the cut modules keep
  their own group (they name it): one Firefox there, one here.
- **Long tests first.** The long ones (a real Blender or Chromium, a minute of events) move to
  the front: near the end they made the run's tail while the other workers had nothing left.
- **Each folder spread through the run.** The other tests went out in collection order, so the
  workers ran neighbours side by side: the offline publishes of ``tests/publish`` (each waits
  out the client's retries) filled all four at once and left the cores idle for a minute. Each
  folder's tests are spread evenly through the order instead (each keeping its own order), so
  the waiting tests run beside busy ones.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from support.groups import FIREFOX_GROUP, PG_SERVER_GROUP

log = logging.getLogger(__name__)

#: the markers of the long tests (a real Blender or Chromium, a minute of events)
LONG_MARKERS = ("slow", "blender", "browser")


def shared_instance(item: pytest.Item) -> Optional[str]:
    """The name of the costly fixture instance ``item`` shares with other tests, or None.

    A parametrised session-scoped fixture (``trust_world``) names the group with its parameter;
    otherwise a module-scoped fixture names it with its module. The parameters of the fixtures
    of those scopes (``embedded_server=sqlite``) are part of the name: each is an instance.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    if "pg_server" in info.names_closure:
        return PG_SERVER_GROUP
    callspec = getattr(item, "callspec", None)
    session_wide, module_wide, params = [], False, []
    for name in info.names_closure:
        definition = (info.name2fixturedefs.get(name) or [None])[-1]
        if definition is None or definition.scope == "function":
            continue
        if callspec is not None and name in callspec.params:
            params.append(f"{name}={callspec.params[name]}")
        if definition.scope == "session" and definition.params:
            session_wide.append(name)
        module_wide = module_wide or definition.scope == "module"
    if session_wide:
        owner = ",".join(sorted(session_wide))
    elif module_wide:
        owner = item.nodeid.split("::", 1)[0]
    else:
        return None
    return f"{owner}({','.join(sorted(params))})"  # no "]": xdist reads a group after the last "]"


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: List[pytest.Item]) -> Iterator[None]:
    """First (before pytest-xdist reads the groups into the test ids) put the tests that share
    a costly fixture instance in one ``xdist_group``, and the Firefox tests in theirs; last
    (after pytest has ordered the tests by fixture parameter) move the long tests to the front,
    a stable sort."""
    ungrouped = [item for item in items if item.get_closest_marker("xdist_group") is None]
    own = {id(item): shared_instance(item) for item in ungrouped}
    with_firefox = {own[id(item)] for item in ungrouped if uses_firefox(item)}
    for item in ungrouped:
        group = own[id(item)]
        if (group is None and uses_firefox(item)) or (
            group in with_firefox and _module_wide(item, group)
        ):
            group = FIREFOX_GROUP
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    yield
    items[:] = spread_by_folder(items)
    items.sort(key=lambda item: (not any(item.get_closest_marker(m) for m in LONG_MARKERS),
                                 _closes_the_firefox(item)))  # fmt: skip


def uses_firefox(item: pytest.Item) -> bool:
    """Whether ``item`` uses a fixture named ``firefox`` (every Firefox fixture's name)."""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and "firefox" in info.names_closure


def _closes_the_firefox(item: pytest.Item) -> bool:
    """Whether ``item`` is a Firefox group test with no ``firefox`` fixture (the browser's own
    tests, which close it): last of the group's, else the next test launches another."""
    return group_of(item) == FIREFOX_GROUP and not uses_firefox(item)


def _module_wide(item: pytest.Item, group: Optional[str]) -> bool:
    """Whether ``group`` is ``item``'s module's own (not a session-wide instance's)."""
    return group is not None and group.startswith(item.nodeid.split("::", 1)[0] + "(")


def folder(item: pytest.Item) -> str:
    """The folder a test is in, one level below the suite's (``tests/publish`` of
    ``tests/publish/test_queue_order.py``, ``tests`` of ``tests/test_demo_port.py``)."""
    path = item.nodeid.split("::", 1)[0].split("/")
    return "/".join(path[:2] if len(path) > 2 else path[:-1])


def spread_by_folder(items: List[pytest.Item]) -> List[pytest.Item]:
    """``items`` with each folder's tests spread evenly through the list, in their order: the
    k-th of a folder's n tests at (k + 1/2) / n of the way (a stable sort on that fraction)."""
    members: Dict[str, List[pytest.Item]] = defaultdict(list)
    for item in items:
        members[folder(item)].append(item)
    place: Dict[int, float] = {}
    for tests in members.values():
        for index, item in enumerate(tests):
            place[id(item)] = (index + 0.5) / len(tests)
    return sorted(items, key=lambda item: place[id(item)])


def group_of(item: pytest.Item) -> Optional[str]:
    """The ``xdist_group`` ``item`` is in (several joined as pytest-xdist joins them), or None."""
    names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
             for mark in item.iter_markers("xdist_group")}  # fmt: skip
    return "_".join(sorted(names)) or None


#: on this worker: the group of the test running now, and the session-scoped fixture instances
#: set up during each group's tests (definition, request), in order
_RUNNING: List[Optional[str]] = [None]
_SET_UP: Dict[str, List[Tuple[Any, Any]]] = defaultdict(list)
#: each fixture definition's users in the run: (its parameter in that test, or
#: _UNPARAMETRISED; the test's group), made at the first group's end
_USERS: Dict[Any, List[Tuple[object, Optional[str]]]] = {}
_UNPARAMETRISED = object()
#: session-scoped fixtures that tests outside any group reach through ``request.getfixturevalue``
#: (``new_database_url``, ``trust_world``): the tests that name them do not tell who needs them
REACHED_BY_NAME = ("pg_cluster", "sqlite_server")


def _groups_end_early(config: pytest.Config) -> bool:
    """A pytest-xdist worker of a ``--dist loadgroup`` run: a group's tests come together."""
    return hasattr(config, "workerinput") and bool(config.getvalue("loadgroup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    _RUNNING[0] = group_of(item)
    try:
        return (yield)
    finally:
        _RUNNING[0] = None


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Iterator[Any]:
    """Note a session-scoped instance set up during a group's test, once set up (after any it
    asked for by name meanwhile: it ends before them)."""
    group = _RUNNING[0]
    try:
        return (yield)
    finally:
        if (group is not None and fixturedef.scope == "session"
                and fixturedef.argname not in REACHED_BY_NAME
                and _groups_end_early(request.config)):  # fmt: skip
            _SET_UP[group].append((fixturedef, request))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Iterator[None]:
    result = yield
    group = group_of(item)
    if group is not None and nextitem is not None and group_of(nextitem) != group:
        _end_own_fixtures(item.session, group)
    return result


def _end_own_fixtures(session: pytest.Session, group: str) -> None:
    """End, last set up first, the session-scoped instances set up during ``group``'s tests
    that no test outside it uses."""
    for fixturedef, request in reversed(_SET_UP.pop(group, [])):
        if fixturedef.cached_result is not None and _only_in(session, fixturedef, request, group):
            log.info("ending %s: the last test of %s has run", fixturedef.argname, group)
            fixturedef.finish(request)


def _only_in(session: pytest.Session, fixturedef: Any, request: Any, group: str) -> bool:
    """Whether every test that uses this fixture definition (with ``request``'s parameter, if it
    has one) is in ``group``; False when no test names it (it was asked for by name only)."""
    if not _USERS:
        _USERS.update(_fixture_users(session.items))
    param = getattr(request, "param", _UNPARAMETRISED)
    users = [g for p, g in _USERS.get(fixturedef, [])
             if param is _UNPARAMETRISED or p is _UNPARAMETRISED or p == param]  # fmt: skip
    return bool(users) and all(g == group for g in users)


def _fixture_users(items: List[pytest.Item]) -> Dict[Any, List[Tuple[object, Optional[str]]]]:
    """Each fixture definition's users (a test uses the one nearest to it of those its
    fixture's name has: a conftest's override, not the root one)."""
    users: Dict[Any, List[Tuple[object, Optional[str]]]] = defaultdict(list)
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        group = group_of(item)
        for name in info.names_closure:
            definitions = info.name2fixturedefs.get(name)
            if definitions:
                users[definitions[-1]].append((params.get(name, _UNPARAMETRISED), group))
    return users
