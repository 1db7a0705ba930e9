"""The counts a server process holds back (past ``FT_DCC_AUDIT_ROWS_PER_MINUTE`` entries of a
holder's repeated act in a minute) are written when the process stops cleanly (SIGTERM), and,
when a minute is over, without waiting for the next act or read: a crash loses at most the
counts of the current minute.

On SQLite and on PostgreSQL with 4 workers (each holding its own counts): a revoked link's holder
is refused again and again, the server is stopped with SIGTERM and started again, and the trail,
read through ``ft_dcc.audit`` as an administrator, has every refusal as a row or counted.

Seen failing first: after the restart the trail had the 2 rows and no ``audit.counted`` entry
(the 28 held refusals were lost); with a minute of 5 s, no count reached the database until the
trail was read.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support.trust import call
from support.waiting import wait_until

from ..client_review.gate_world import Dailies, gate_server, make_owner
from ..client_review.test_gate_revoked import mark
from ..limits.test_audit_rows import trail

ROWS = 2
REQUESTS = 30


@contextlib.contextmanager
def started(base: Path, args: List[str], window: str) -> Iterator[Dict[str, Any]]:
    env = {"FT_DCC_AUDIT_ROWS_PER_MINUTE": str(ROWS), "FT_DCC_AUDIT_WINDOW": window}
    with gate_server(base, *args, **env) as server:
        for owner in make_owner(server, base):
            yield {"server": server, "owner": owner, "base": base, "env": env}


def restart(world: Dict[str, Any]) -> None:
    """Start the stopped server again, on its port and data, with the same settings."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in world["env"].items():
            patch.setenv(name, value)
        world["server"].start()


def refused_again_and_again(world: Dict[str, Any]) -> Dict[str, str]:
    """A revoked link's holder refused ``REQUESTS`` times: the session and the holder."""
    server = world["server"]
    session = Dailies(server, world["owner"], world["base"])
    ann = session.invitee("ann")
    revoked = call(server, [mark(f"invitee_links_revoked_at:{session.dailies.ann['id']}",
                                 session.id)])  # fmt: skip
    assert revoked.status_code == 200, revoked.text
    world["refuse"] = lambda times: refuse(ann, times)
    refuse(ann, REQUESTS)
    return {"session": session.id, "who": f"invitee:{session.dailies.ann['id']}"}


def refuse(holder: Any, times: int) -> int:
    """The revoked link's holder asks ``times`` times, each refused."""
    statuses = [requests.get(holder.base + "/feedback", params={"token": holder.token},
                             headers={"Connection": "close"}, timeout=30).status_code
                for _ in range(times)]  # fmt: skip
    assert statuses == [403] * times
    return times


def tally(entries: List[Dict[str, Any]], who: str) -> Dict[str, int]:
    """The holder's refusals as rows and as counted."""
    mine = [e for e in entries if e["who"] == who]
    counted = [e["detail"]["counted"] for e in mine if e["act"] == "audit.counted"]
    return {
        "rows": sum(1 for e in mine if e["act"] == "access.refused"),
        "counted": sum(int(each.get("access.refused", 0)) for each in counted),
    }


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql-4-workers"])
def test_held_counts_are_written_when_the_server_stops(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    args: List[str] = []
    if backend != "sqlite":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("auditheld", template=cluster.template)
        args = ["--database", url, "--workers", "4"]
    with started(tmp_path, args, window="3600") as world:  # the minute outlasts the test
        acted = refused_again_and_again(world)
        world["server"].stop()  # SIGTERM, and wait until every process has exited

        restart(world)

        found = tally(trail(world["server"], acted["session"]), acted["who"])
        assert found["rows"] + found["counted"] == REQUESTS, found
        assert found["counted"] > 0, found


def stored_tally(server: Any, who: str) -> Dict[str, int]:
    """:func:`tally` of the SQLite file, read directly (reading through the API would write
    the held counts)."""
    database = Path(server.data_dir) / "ft_dcc.sqlite"
    with contextlib.closing(sqlite3.connect(str(database))) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("select act, who, detail from ft_dcc_audit where who = ?",
                                  (who,)).fetchall()  # fmt: skip
    return tally([dict(row, detail=json.loads(row["detail"])) for row in rows], who)


@pytest.mark.slow
def test_a_minute_over_is_written_without_a_next_act_and_survives_a_crash(tmp_path: Path) -> None:
    # 10 s minutes: a third refusal within one of them is held (2 rows a minute)
    with started(tmp_path, [], window="10") as world:
        acted = refused_again_and_again(world)
        server = world["server"]
        sent = [REQUESTS]

        def held_and_stored() -> Dict[str, int]:
            found = stored_tally(server, acted["who"])
            if found["rows"] + found["counted"] < sent[0]:
                return {}  # a minute still holds some: wait for it to end
            if found["counted"] > 0:
                return found  # some were held, and written when their minute ended
            sent[0] += world["refuse"](3)  # each had a row of its own (slow asks): ask faster
            return {}

        stored = wait_until(held_and_stored,
                            lambda: f"stored: {stored_tally(server, acted['who'])}, sent {sent[0]}",
                            timeout=300)  # fmt: skip
        assert stored["rows"] + stored["counted"] == sent[0], stored
        server.process.kill()  # a crash: nothing more is written
        server.process.wait(timeout=60)
        restart(world)

        assert tally(trail(server, acted["session"]), acted["who"]) == stored
