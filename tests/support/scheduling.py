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
- **Long tests first.** The long ones (a real Blender or Chromium, a minute of events) move to
  the front: near the end they made the run's tail while the other workers had nothing left.
- **Each folder spread through the run.** The other tests went out in collection order, so the
  workers ran neighbours side by side: the offline publishes of ``tests/publish`` (each waits
  out the client's retries) filled all four at once and left the cores idle for a minute. Each
  folder's tests are spread evenly through the order instead (each keeping its own order), so
  the waiting tests run beside busy ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterator, List, Optional

import pytest

from support.groups import PG_SERVER_GROUP

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
    a costly fixture instance in one ``xdist_group``; last (after pytest has ordered the tests
    by fixture parameter) move the long tests to the front, a stable sort."""
    for item in items:
        group = shared_instance(item)
        if group is not None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
    yield
    items[:] = spread_by_folder(items)
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in LONG_MARKERS))


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
