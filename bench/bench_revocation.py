"""How long a revoked grant outlives its revocation: time from the revoking request to the last
byte its holder receives, per grant kind, on SQLite and on PostgreSQL with 4 workers.

Usage: ``.venv/bin/python bench/bench_revocation.py [--rounds 5] [--database postgresql://…]
[--no-postgres]``

Starts ``ft-dcc server`` on SQLite, then (with ``--database``, or a throwaway cluster when the
tests' PostgreSQL binaries are installed) on PostgreSQL with ``--workers 4``. Per round and grant
kind, a fresh User (or invitee) holds the grant while the administrator keeps the server busy
with writes that the holder would receive, then revokes it:

- **api key**: 4 threads send queries with the User's key, back to back (spread over the
  workers); the administrator rotates the key (``reset_remote``). Figure: the end of the last
  answer (200) after the revoking request was sent;
- **hub socket**: the User's event-hub socket subscribed to ``ftrack.update``; the administrator
  deactivates the User. Figure: the last frame the socket receives (an event, or its close);
- **live stream**: an invitee's ``/review/<id>/live`` stream; the session's owner deletes the
  invitee. Figure: the stream's last byte (a note event, or its end).

Each figure is in ms after the revoking request was sent, with the revoking request's own round
trip in the same run as its baseline (the ratio: figure / that round trip; about 1 or less means
nothing was received once the revocation was answered). Loops are bounded (``--settle``
seconds per round at most). Prints each figure, then one JSON line. No timing is asserted
anywhere: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests
from embedded_server import KEY, USER, Server

KINDS = ("api key", "hub socket", "live stream")


def post(url: str, operations: List[Dict[str, Any]], user: str = USER, key: str = KEY) -> Any:
    headers = {"ftrack-user": user, "ftrack-api-key": key, "ftrack-strict-api": "true"}
    return requests.post(url + "/api", json=operations, headers=headers, timeout=120)


def ok(url: str, operations: List[Dict[str, Any]], **auth: str) -> List[Any]:
    reply = post(url, operations, **auth)
    if reply.status_code != 200:
        raise RuntimeError(f"{reply.status_code}: {reply.text[:400]}")
    return list(reply.json())


def create(entity_type: str, **data: Any) -> Dict[str, Any]:
    data.setdefault("id", str(uuid.uuid4()))
    return {"action": "create", "entity_type": entity_type, "entity_key": [data["id"]],
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip


def update(entity_type: str, ident: str, **data: Any) -> Dict[str, Any]:
    return {"action": "update", "entity_type": entity_type, "entity_key": [ident],
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip


def rotate(user_id: str) -> Dict[str, Any]:
    return {"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
            "entity_key": [user_id]}  # fmt: skip


def new_user(url: str) -> Tuple[str, str, str]:
    """(name, id, key) of a new User."""
    made = create("User", username=f"holder-{uuid.uuid4().hex[:8]}")
    ok(url, [made])
    user_id = made["entity_key"][0]
    key = ok(url, [rotate(user_id)])[0]["data"]["api_key"]
    return made["entity_data"]["username"], user_id, key


class Busy:
    """The administrator's writes, back to back on a thread, until stopped (bounded)."""

    def __init__(self, write: Callable[[], None], most: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(write, most), daemon=True)
        self._thread.start()

    def _run(self, write: Callable[[], None], most: float) -> None:
        deadline = time.monotonic() + most
        while not self._stop.is_set() and time.monotonic() < deadline:
            write()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)


def revoke_timed(url: str, operations: List[Dict[str, Any]], **auth: str) -> Tuple[float, float]:
    """(monotonic time the revoking request was sent, its round trip in s)."""
    sent = time.monotonic()
    ok(url, operations, **auth)
    return sent, time.monotonic() - sent


def outlived(last: float, sent: float, ended: bool, settle: float) -> float:
    """How long the holder kept receiving after ``sent``: the whole watch (``settle``) when it
    was never ended by the server (a lower bound: it was still open)."""
    return max(0.0, last - sent) if ended else settle


# -- grant kinds ---------------------------------------------------------------------------------
def api_key_round(url: str, settle: float) -> Tuple[float, float]:
    name, user_id, key = new_user(url)
    last: List[float] = [0.0]
    stop = threading.Event()
    query = [{"action": "query", "expression": "select id from Project limit 1"}]

    def loop() -> None:
        deadline = time.monotonic() + settle + 5
        while not stop.is_set() and time.monotonic() < deadline:
            reply = post(url, query, user=name, key=key)
            if reply.status_code == 200:
                last[0] = max(last[0], time.monotonic())

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # the key is checked (and remembered) by every worker meanwhile
    sent, took = revoke_timed(url, [rotate(user_id)])
    time.sleep(settle)
    stop.set()
    for thread in threads:
        thread.join(30)
    return max(0.0, last[0] - sent), took


class Socket:
    """A raw socket.io hub client: the monotonic time of its last frame (or close)."""

    def __init__(self, url: str, port: int, user: str, key: str) -> None:
        import websocket

        reply = requests.get(url + "/socket.io/1/", timeout=30,
                             headers={"ftrack-user": user, "ftrack-api-key": key})  # fmt: skip
        if reply.status_code != 200:
            raise RuntimeError(f"the hub handshake answered {reply.status_code}: {reply.text}")
        sid = reply.text.split(":")[0]
        self.sock = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/1/websocket/{sid}", timeout=60
        )
        self.last = 0.0
        self.events = 0
        self.closed = threading.Event()
        self.watching = True  # bytes after the watch (our own close) do not count
        threading.Thread(target=self._read, daemon=True).start()
        data = {"subscriber": {"id": uuid.uuid4().hex}, "subscription": "topic=ftrack.update"}
        event = {"id": uuid.uuid4().hex, "topic": "ftrack.meta.subscribe", "source": {},
                 "data": data}  # fmt: skip
        self.sock.send("5:::" + json.dumps({"name": "ftrack.event", "args": [event]}))

    def _read(self) -> None:
        try:
            while True:
                frame = self.sock.recv()
                if self.watching:
                    self.last = time.monotonic()
                if not frame or frame.startswith("0:"):
                    break
                if frame.startswith("5:"):
                    self.events += 1
                elif frame.startswith("2:"):
                    self.sock.send("2::")
        except Exception:
            pass
        if self.watching:
            self.last = time.monotonic()
        self.closed.set()

    def close(self) -> None:
        self.watching = False
        try:
            self.sock.close()
        except Exception:
            pass


def project_write(url: str) -> Callable[[], None]:
    def write() -> None:
        ok(url, [create("Project", name=f"b{uuid.uuid4().hex[:10]}", full_name="Bench")])

    return write


def hub_round(url: str, port: int, settle: float) -> Tuple[float, float]:
    name, user_id, key = new_user(url)
    socket = Socket(url, port, name, key)
    busy = Busy(project_write(url), settle + 30)
    try:
        deadline = time.monotonic() + 30
        while socket.events < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        sent, took = revoke_timed(url, [update("User", user_id, is_active=False)])
        ended = socket.closed.wait(settle)
    finally:
        socket.watching = False
        busy.stop()
        socket.close()
    return outlived(socket.last, sent, ended, settle), took


class Stream:
    """A ``/live`` stream read on a thread: the monotonic time of its last byte."""

    def __init__(self, url: str, session: str, token: str) -> None:
        self.response = requests.get(f"{url}/review/{session}/live", params={"token": token},
                                     stream=True, timeout=120)  # fmt: skip
        self.last = 0.0
        self.notes = 0
        self.ended = threading.Event()
        self.watching = True  # bytes after the watch (our own close) do not count
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for chunk in self.response.iter_content(chunk_size=None):
                if self.watching:
                    self.last = time.monotonic()
                self.notes += chunk.count(b"event: note")
        except Exception:
            pass
        if self.watching:
            self.last = time.monotonic()
        self.ended.set()


def review_with_invitee(url: str) -> Dict[str, str]:
    ids = {k: str(uuid.uuid4()) for k in ("project", "shot", "task", "asset", "version",
                                           "session", "item", "invitee")}  # fmt: skip
    ok(url, [
        create("Project", id=ids["project"], name="r" + ids["project"][:8], full_name="R"),
        create("Shot", id=ids["shot"], name="sh010", parent_id=ids["project"]),
        create("Task", id=ids["task"], name="comp", parent_id=ids["shot"]),
        create("Asset", id=ids["asset"], name="a" + ids["asset"][:6], context_id=ids["shot"]),
        create("AssetVersion", id=ids["version"], asset_id=ids["asset"], task_id=ids["task"]),
        create("ReviewSession", id=ids["session"], name="Dailies", project_id=ids["project"]),
        create("ReviewSessionObject", id=ids["item"], name="sh010", sort_order=1,
               review_session_id=ids["session"], version_id=ids["version"]),
        create("ReviewSessionInvitee", id=ids["invitee"], name="Client",
               email="client@client.example", review_session_id=ids["session"]),
    ])  # fmt: skip
    return ids


def live_round(url: str, settle: float) -> Tuple[float, float]:
    ids = review_with_invitee(url)
    widget = ok(url, [{"action": "get_widget_url", "name": "review_session",
                       "entity_type": "ReviewSessionInvitee",
                       "entity_key": [ids["invitee"]]}])  # fmt: skip
    query = urllib.parse.urlparse(widget[0]["widget_url"]).query
    token = urllib.parse.parse_qs(query)["token"][0]
    stream = Stream(url, ids["session"], token)

    def note() -> None:
        ok(url, [create("Note", content="n", parent_id=ids["item"],
                        parent_type="ReviewSessionObject")])  # fmt: skip

    busy = Busy(note, settle + 30)
    try:
        deadline = time.monotonic() + 30
        while stream.notes < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        removal = {"action": "delete", "entity_type": "ReviewSessionInvitee",
                   "entity_key": [ids["invitee"]]}  # fmt: skip
        sent, took = revoke_timed(url, [removal])
        ended = stream.ended.wait(settle)
    finally:
        stream.watching = False
        busy.stop()
        stream.response.close()
    return outlived(stream.last, sent, ended, settle), took


# -- the run -------------------------------------------------------------------------------------
def measure(server: Server, rounds: int, settle: float) -> Dict[str, Dict[str, float]]:
    figures: Dict[str, Dict[str, float]] = {}
    runs: Dict[str, Callable[[], Tuple[float, float]]] = {
        "api key": lambda: api_key_round(server.url, settle),
        "hub socket": lambda: hub_round(server.url, server.port, settle),
        "live stream": lambda: live_round(server.url, settle),
    }
    for kind in KINDS:
        lasted, baseline = zip(*(runs[kind]() for _ in range(rounds)))
        median_ms = 1000 * statistics.median(lasted)
        base_ms = 1000 * statistics.median(baseline)
        figures[kind] = {
            "last_byte_ms_median": round(median_ms, 1),
            "last_byte_ms_max": round(1000 * max(lasted), 1),
            "revoking_request_ms_median": round(base_ms, 1),
            "ratio": round(median_ms / base_ms, 2) if base_ms else 0.0,
        }
        still_open = sum(1 for value in lasted if value >= settle)
        figures[kind]["still_open_after_watch"] = still_open
        print(f"  {kind:12s} last byte {median_ms:7.1f} ms median, {1000 * max(lasted):7.1f}"
              f" ms max after the revoking request; its round trip {base_ms:6.1f} ms "
              f"(ratio {figures[kind]['ratio']}); still open after the {settle:.0f} s watch: "
              f"{still_open} of {rounds}", flush=True)  # fmt: skip
    return figures


def run_backend(name: str, args: List[str], rounds: int, settle: float) -> Dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix=f"bench-revocation-{name}-"))
    print(f"{name}:", flush=True)
    server = Server(base, args)
    try:
        return measure(server, rounds, settle)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def throwaway_postgres() -> Optional[Any]:
    """A PostgreSQL cluster from the tests' support (``None`` when not installed)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    try:
        from support.pg_cluster import PgCluster, find_bin_dir
    except ImportError:
        return None
    return PgCluster.start() if find_bin_dir() is not None else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds to watch a holder after each revocation")  # fmt: skip
    parser.add_argument("--database", help="a PostgreSQL URL (default: a throwaway cluster)")
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    # the revoked holders' refused requests are not guesses: no rate limit in the way here
    os.environ.setdefault("FT_DCC_AUTH_FAILURES_PER_SOURCE", "100000000")
    os.environ.setdefault("FT_DCC_AUTH_FAILURES_PER_TARGET", "100000000")
    results = {"sqlite": run_backend("sqlite", [], options.rounds, options.settle)}
    cluster = None
    if not options.no_postgres:
        url = options.database
        if url is None:
            cluster = throwaway_postgres()
            url = cluster.create_database("bench") if cluster is not None else None
        if url is None:
            print("postgresql: skipped (no --database and no PostgreSQL installed)")
        else:
            try:
                results["postgresql-4-workers"] = run_backend(
                    "postgresql-4-workers", ["--database", url, "--workers", "4"],
                    options.rounds, options.settle,
                )  # fmt: skip
            finally:
                if cluster is not None:
                    cluster.stop()
    print(json.dumps({"bench": "revocation", "rounds": options.rounds, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
