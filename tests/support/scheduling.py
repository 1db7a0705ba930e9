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
- **Long tests first.** The other tests keep their order, the long ones (a real Blender or
  Chromium, a minute of events) moved to the front: near the end they made the run's tail
  while the other workers had nothing left.
"""

from __future__ import annotations

from typing import Iterator, List, Optional

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
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in LONG_MARKERS))
