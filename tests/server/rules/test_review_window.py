"""A review session's window may not close before it opens (the hostile round found ``/api``
accepting an end date before the start date).

An ``end_date`` still to come before the ``start_date`` is refused (400, saying what to send)
on create and on update, whichever of the two dates the write changes, judged on the row as it
will be stored; nothing changes. Closing a session (an ``end_date`` that has passed) stays
allowed whatever its ``start_date``, also for one that was to open later. SQLite and PostgreSQL
with 4 workers (``trust_world``).

Seen failing first: on the code before ``rules.review_window`` each refused write answered 200.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

from support.insiders import World, api_refused, assert_unchanged, snapshot
from support.trust import call, create, make_task, ok, query, update


def _at(days: float) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat()


def _session(world: World, **dates: Any) -> Dict[str, Any]:
    project = make_task(world.server)["project"]
    return create("ReviewSession", name="window", project_id=project, **dates)


def test_a_window_that_closes_before_it_opens_is_refused(trust_world: World) -> None:
    world, alice = trust_world, trust_world.alice
    later = _session(world, start_date=_at(10), end_date=_at(20))
    ok(world.server, [later], **alice.auth)
    ident = later["entity_key"][0]
    attempts = [
        [_session(world, start_date=_at(10), end_date=_at(2))],  # created inverted
        [update("ReviewSession", ident, end_date=_at(5))],  # its end moved before its start
        [update("ReviewSession", ident, start_date=_at(30))],  # its start moved after its end
        [_session(world, start_date=_at(3)), update("ReviewSession", ident, end_date=_at(1))],
    ]
    before = snapshot(world)  # after make_task wrote the projects of the creates above
    for operations in attempts:
        message = api_refused(call(world.server, operations, **alice.auth), 400)
        assert "end_date" in message and "start_date" in message, message
        assert_unchanged(world, before)


def test_a_session_still_closes_before_its_start(trust_world: World) -> None:
    """The control: an end_date that has passed closes the session (``ft-dcc review close``),
    even one that was to open later; a window in order is stored as sent."""
    world, alice = trust_world, trust_world.alice
    later = _session(world, start_date=_at(10), end_date=_at(20))
    ok(world.server, [later], **alice.auth)
    ident = later["entity_key"][0]
    ok(world.server, [update("ReviewSession", ident, end_date=_at(-1 / 86400))], **alice.auth)
    row = query(world.server, f'select is_open from ReviewSession where id is "{ident}"')[0]
    assert row["is_open"] is False
