"""What the review audit trail costs a request: an invitee's page load (``link.opened``) and note
(``note.created``), each with the trail written and without it, in the same run.

Usage: ``.venv/bin/python bench/bench_audit.py [--requests 200] [--rounds 5]
[--database postgresql://…] [--no-postgres]``

Starts two ``ft-dcc server`` processes on SQLite: one as shipped, one whose audit appends are
switched off (a ``sitecustomize`` on its ``PYTHONPATH`` replaces ``ft_dcc.server.audit``'s
``record_after`` and ``record_changes`` with no-ops, in every process it starts). Then the same
on PostgreSQL with ``--workers 4`` (``--database``, or a throwaway cluster when the tests'
PostgreSQL binaries are installed). Per round, variant and kind, one client sends ``--requests``
requests back to back; the variants take turns within each round, so both see the same machine.
Prints the median ms per request of each, the ratio with/without and the difference (the trail's
cost per request), checks the trail written meanwhile still verifies, and times ``record`` alone
(``--requests`` appends from this process, no HTTP), then one JSON line. No
timing is asserted anywhere: this is a benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import requests
from bench_revocation import create, ok, throwaway_postgres
from embedded_server import Server

KINDS = ("page GET", "note POST")
VARIANTS = ("with trail", "without trail")
#: the baseline server's ``sitecustomize``: no audit appends, in each of its processes
NO_TRAIL = """
import ft_dcc.server.audit as audit

audit.record_after = lambda *args, **kwargs: True
audit.record_changes = lambda *args, **kwargs: None
"""


class Review:
    """A review session with one item and an invitee, and the invitee's link."""

    def __init__(self, url: str) -> None:
        ids = {k: str(uuid.uuid4()) for k in ("project", "asset", "version", "session", "item",
                                               "invitee")}  # fmt: skip
        ends = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
        ok(url, [
            create("Project", id=ids["project"], name="a" + ids["project"][:8], full_name="A"),
            create("Asset", id=ids["asset"], name="sh010", context_id=ids["project"]),
            create("AssetVersion", id=ids["version"], asset_id=ids["asset"]),
            create("ReviewSession", id=ids["session"], name="Dailies", project_id=ids["project"],
                   end_date={"__type__": "datetime", "value": ends.isoformat()}),
            create("ReviewSessionObject", id=ids["item"], name="sh010", sort_order=1,
                   review_session_id=ids["session"], version_id=ids["version"]),
            create("ReviewSessionInvitee", id=ids["invitee"], name="Client",
                   email="client@client.example", review_session_id=ids["session"]),
        ])  # fmt: skip
        widget = ok(url, [{"action": "get_widget_url", "name": "review_session",
                           "entity_type": "ReviewSessionInvitee",
                           "entity_key": [ids["invitee"]]}])  # fmt: skip
        query = urllib.parse.urlparse(widget[0]["widget_url"]).query
        self.token = urllib.parse.parse_qs(query)["token"][0]
        self.page = f"{url}/review/{ids['session']}"
        self.ids = ids
        self.http = requests.Session()

    def page_get(self) -> None:
        reply = self.http.get(self.page, params={"token": self.token}, timeout=60)
        if reply.status_code != 200:
            raise RuntimeError(f"page: {reply.status_code} {reply.text[:300]}")

    def note_post(self) -> None:
        body = {"object_id": self.ids["item"], "content": "bench", "frame": 1}
        reply = self.http.post(self.page + "/notes", params={"token": self.token}, json=body,
                               timeout=60)  # fmt: skip
        if reply.status_code != 201:
            raise RuntimeError(f"note: {reply.status_code} {reply.text[:300]}")


def timed(work: Callable[[], None], count: int) -> float:
    """Seconds per call of ``work``, over ``count`` calls back to back."""
    started = time.perf_counter()
    for _ in range(count):
        work()
    return (time.perf_counter() - started) / count


def verified(url: str, review: Review) -> Dict[str, Any]:
    reply = ok(url, [{"action": "ft_dcc.audit", "review_session_id": review.ids["session"],
                      "verify": True, "after": 2**61}])  # fmt: skip
    return dict(reply[0]["verify"])


def measure(servers: Dict[str, Server], count: int, rounds: int) -> Dict[str, Any]:
    reviews = {variant: Review(server.url) for variant, server in servers.items()}
    for review in reviews.values():  # warm up: first-use imports, connection pools
        timed(review.page_get, 5)
        timed(review.note_post, 5)
    samples: Dict[str, Dict[str, List[float]]] = {k: {v: [] for v in VARIANTS} for k in KINDS}
    for _ in range(rounds):
        for kind in KINDS:
            for variant in VARIANTS:
                review = reviews[variant]
                work = review.page_get if kind == "page GET" else review.note_post
                samples[kind][variant].append(timed(work, count))
    figures: Dict[str, Any] = {}
    for kind in KINDS:
        on = 1000 * statistics.median(samples[kind]["with trail"])
        off = 1000 * statistics.median(samples[kind]["without trail"])
        figures[kind] = {"with_trail_ms": round(on, 2), "without_trail_ms": round(off, 2),
                         "ratio": round(on / off, 3), "cost_ms": round(on - off, 2)}  # fmt: skip
        print(f"  {kind:10s} {on:7.2f} ms with the trail, {off:7.2f} ms without: ratio "
              f"{on / off:5.3f}, {on - off:+6.2f} ms a request", flush=True)  # fmt: skip
    checked = verified(servers["with trail"].url, reviews["with trail"])
    figures["chain"] = checked
    print(f"  chain after the run: ok={checked['ok']}, {checked['checked']} entries", flush=True)
    return figures


def append_cost(database_url: str, count: int) -> float:
    """ms per ``record`` call alone (no HTTP), ``count`` appends to one session's chain."""
    from ft_dcc.server import audit
    from ft_dcc.server.store.store import Store

    store = Store(database_url)
    try:
        audit.audit_table(store)
        session = str(uuid.uuid4())

        def append() -> None:
            detail = {"component_id": session, "size": 1}
            audit.record(store, "media.played", who="room", review_session_id=session,
                         source="127.0.0.1", detail=detail)  # fmt: skip

        append()
        return 1000 * timed(append, count)
    finally:
        store.close()


def run_backend(name: str, args: Dict[str, List[str]], count: int, rounds: int) -> Dict[str, Any]:
    """Both variants' servers (``args``: each one's ``ft-dcc server`` options) and their
    figures."""
    base = Path(tempfile.mkdtemp(prefix=f"bench-audit-{name}-"))
    print(f"{name}:", flush=True)
    hook = base / "no-trail"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(NO_TRAIL, encoding="utf-8")
    servers: Dict[str, Server] = {}
    saved = os.environ.get("PYTHONPATH")
    try:
        for variant in VARIANTS:
            folder = base / variant.replace(" ", "-")
            folder.mkdir()
            if variant == "without trail":
                os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), saved) if p)
            try:
                servers[variant] = Server(folder, args[variant], start_timeout=300)
            except RuntimeError:
                log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"the {variant} server did not start:\n{log[-3000:]}") from None
            finally:
                _restore("PYTHONPATH", saved)
        return measure(servers, count, rounds)
    except RuntimeError:
        for variant in servers:
            log = base / variant.replace(" ", "-") / "server.log"
            print(f"-- {variant} server's log:\n" + log.read_text(errors="replace")[-4000:])
        raise
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


def _restore(name: str, value: Optional[str]) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per round and kind")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a throwaway cluster)")
    parser.add_argument("--database-off", help="a second one, for the server without the trail")
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    both: Dict[str, List[str]] = {variant: [] for variant in VARIANTS}
    results = {"sqlite": run_backend("sqlite", both, options.requests, options.rounds)}
    with tempfile.TemporaryDirectory(prefix="bench-audit-append-") as folder:
        alone = append_cost(f"sqlite:///{folder}/append.sqlite", options.requests)
    results["sqlite"]["append_ms"] = round(alone, 3)
    print(f"  one append alone (no HTTP): {alone:.3f} ms", flush=True)
    cluster = None
    if not options.no_postgres:
        url, url_off = options.database, options.database_off
        if url is None:
            cluster = throwaway_postgres()
            if cluster is not None:
                url, url_off = cluster.create_database("bench"), cluster.create_database("off")
        if url is None or url_off is None:
            print("postgresql: skipped (no --database/--database-off, no PostgreSQL installed)")
        else:
            args = {VARIANTS[0]: ["--database", url, "--workers", "4"],
                    VARIANTS[1]: ["--database", url_off, "--workers", "4"]}  # fmt: skip
            try:
                results["postgresql-4-workers"] = run_backend(
                    "postgresql-4-workers", args, options.requests, options.rounds
                )
                alone = append_cost(url, options.requests)
                results["postgresql-4-workers"]["append_ms"] = round(alone, 3)
                print(f"  one append alone (no HTTP): {alone:.3f} ms", flush=True)
            finally:
                if cluster is not None:
                    cluster.stop()
    print(json.dumps({"bench": "audit", "requests": options.requests, "rounds": options.rounds,
                      "results": results}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
