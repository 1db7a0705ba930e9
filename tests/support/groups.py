"""The ``xdist_group`` names that fixtures declare themselves (``support.scheduling`` gives the
others theirs); a plain module, so conftests import it before the plugins load."""

from __future__ import annotations

from typing import Any

import pytest

#: the group of every test on ``pg_server``, named or reached through a parameter
PG_SERVER_GROUP = "pg_server()"
#: the group of every test that uses a Firefox (a fixture named ``firefox``) with its module's
#: group, but the cut modules' (``web.cut_fixtures``: their own group, their own Firefox)
FIREFOX_GROUP = "firefox()"


def on_pg_server(name: str = "postgresql-4-workers") -> Any:
    """A fixture parameter that hands out ``pg_server`` through ``request.getfixturevalue``
    (which the scheduling cannot see): its tests join ``pg_server``'s group."""
    return pytest.param(name, marks=pytest.mark.xdist_group(PG_SERVER_GROUP))
