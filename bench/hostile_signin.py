"""The sign-in's attacks of ``hostile_round.py`` (registered in its ``ATTACKS``):

- **guesses at once**: 16, then 64 sign-ins of one name sent together, one with the right
  password: how many were judged (not 429) against the limit of 10 (more is a finding);
- **link lock**: 12 made-up one-time link GETs, then a real link (must open: 200); a link
  printed before a password change, and one before a deactivation and reactivation (must not
  sign in: 403);
- **huge bodies**: a body of 128 MB to every route, declared (``Content-Length``) and sent in
  chunks without a length: the status, and how much the server processes grew while it was sent
  (sampled RSS, every process), against the route's body limit (more than the limit plus 8 MB,
  an allowance for the process's own noise, is a finding);
- **limiter cost**: the limiter's reserve-and-give-back on this backend (in memory on SQLite,
  the database on PostgreSQL) against a whole sign-in over HTTP: a ratio of the same run.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import requests
from bench_revocation import new_user, ok, update

MB = 1024 * 1024
HUGE = 128 * MB
#: what the process's own noise may add to a route's limit before it counts as a finding
NOISE = 8 * MB
PER_USER = 10
ROUTE_ID = "4a1f0d6e-0000-4000-8000-00000000000a"
#: (method, path) of every route, with made-up ids and tokens
ROUTES: List[Tuple[str, str]] = [
    ("POST", "/"), ("POST", "/api"), ("POST", "/signin"), ("POST", "/signout"),
    ("POST", "/signin/link?token=x"), ("POST", "/signin/link/x"), ("POST", "/signin/password"),
    ("POST", f"/signin/review/{ROUTE_ID}"), ("POST", "/signin/static/signin.css"),
    ("POST", "/widget?token=x"), ("PUT", f"/file-upload/{ROUTE_ID}?token=x.y"),
    ("POST", "/component/get?id=x"), ("POST", "/component/remove?id=x"),
    ("POST", "/img/thumbnail2.png"), ("POST", "/review/"), ("POST", f"/review/{ROUTE_ID}"),
    ("POST", f"/review/{ROUTE_ID}/notes?token=x.y"),
    ("POST", f"/review/{ROUTE_ID}/annotations?token=x.y"),
    ("POST", f"/review/{ROUTE_ID}/status?token=x.y"),
    ("POST", f"/review/{ROUTE_ID}/passphrase?token=x.y"),
    ("POST", f"/review/{ROUTE_ID}/presenter?token=x.y"),
    ("POST", f"/review/{ROUTE_ID}/live?token=x.y"), ("POST", "/desk/"),
    ("POST", f"/desk/api/project/{ROUTE_ID}/sessions"),
    ("POST", f"/desk/api/session/{ROUTE_ID}/rename"),
    ("POST", f"/desk/api/session/{ROUTE_ID}/link"),
    ("POST", "/health"), ("POST", "/ready"), ("POST", "/socket.io/"), ("POST", "/no/such/route"),
]  # fmt: skip


# -- people with passwords -------------------------------------------------------------------
def ft_dcc_user(w: Dict[str, Any], *args: str, given: Optional[str] = None) -> str:
    """``ft-dcc user ARGS`` on the round's server: its standard output."""
    done = subprocess.run([sys.executable, "-m", "ft_dcc", "user", *args, *w["cli_args"]],
                          input=given, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"ft-dcc user {args[0]}: {done.stderr[-300:]}")
    return done.stdout


def with_password(w: Dict[str, Any]) -> Tuple[str, str, str]:
    """(name, user id, password) of a new User with a password."""
    name, user_id, _key = new_user(w["url"])
    password = f"pw {uuid.uuid4().hex}"
    ft_dcc_user(w, "password", name, "--password-stdin", given=password + "\n")
    return name, user_id, password


def sign_in(tally: Any, base: str, name: str, password: str) -> int:
    try:
        reply = requests.post(f"{base}/signin", data={"username": name, "password": password},
                              headers={"Origin": base}, allow_redirects=False,
                              timeout=300)  # fmt: skip
    except requests.RequestException:
        tally.add(-1)
        return -1
    tally.add(reply.status_code)
    return reply.status_code


def together(count: int, work: Callable[[int], int]) -> List[int]:
    start = threading.Barrier(count)
    answers = [0] * count

    def run(index: int) -> None:
        start.wait(timeout=120)
        answers[index] = work(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _burst(w: Dict[str, Any], tally: Any, count: int) -> List[int]:
    """``count`` sign-ins of a new name at once, one with the right password: the statuses."""
    name, _user_id, password = with_password(w)
    return together(count, lambda i: sign_in(
        tally, w["url"], name, password if i == count // 2 else f"guess {i}"))  # fmt: skip


def guesses_at_once(w: Dict[str, Any], tally: Any, seconds: float) -> None:
    figures = {}
    for count in (16, 64):
        statuses = _burst(w, tally, count)
        judged = sum(1 for status in statuses if status != 429)
        figures[f"judged of {count}"] = judged
        if judged > PER_USER:
            tally.find(f"{judged} of {count} sign-ins at once were judged (limit {PER_USER})")
    w["figures_extra"]["guesses_at_once"] = figures


def _link(w: Dict[str, Any], name: str) -> str:
    printed = ft_dcc_user(w, "signin-link", name).strip()
    return w["url"] + "/signin/link" + printed.split("/signin/link", 1)[1]


def link_lock(w: Dict[str, Any], tally: Any, seconds: float) -> None:
    base = w["url"]
    for _ in range(PER_USER + 2):
        reply = requests.get(f"{base}/signin/link?token={uuid.uuid4().hex}", timeout=60)
        tally.add(reply.status_code)
    name, user_id, _password = with_password(w)
    real = requests.get(_link(w, name), timeout=60)
    tally.add(real.status_code)
    if real.status_code != 200:
        tally.find(f"made-up links locked a real one: {real.status_code}")
    before_change = _link(w, name)
    ft_dcc_user(w, "password", name, "--password-stdin", given="a new password 123\n")
    before_toggle = _link(w, name)
    for active in (False, True):
        ok(base, [update("User", user_id, is_active=active)])
    for label, link in (("password change", before_change), ("deactivation", before_toggle)):
        used = requests.post(link, headers={"Origin": base}, allow_redirects=False, timeout=60)
        tally.add(used.status_code)
        if used.status_code != 403:
            tally.find(f"a link printed before a {label} answered {used.status_code}")


# -- huge bodies -----------------------------------------------------------------------------
def processes(root: int) -> List[int]:
    """``root`` and every process under it."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Growth:
    """The most each server process grew above its size when this began (sampled)."""

    def __init__(self, root: int) -> None:
        self.pids = processes(root)
        self.start = {pid: rss(pid) for pid in self.pids}
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            for pid in self.pids:
                self.most = max(self.most, rss(pid) - self.start[pid])

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.most


def send_huge(base: str, method: str, path: str, chunked: bool) -> int:
    """Send a 128 MB body (declared, or chunked) until the server answers: its status."""
    url = urlsplit(base)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
    head = (f"{method} {path} HTTP/1.1\r\nHost: {url.netloc}\r\n{length}\r\n"
            "ftrack-strict-api: true\r\nContent-Type: application/json\r\n\r\n")  # fmt: skip
    chunk = b"[" * MB
    with socket.create_connection((url.hostname, url.port), timeout=120) as connection:
        connection.sendall(head.encode())
        connection.setblocking(False)
        sent, received = 0, b""
        while sent < HUGE and b"\r\n" not in received:
            try:
                received += connection.recv(65536)
            except BlockingIOError:
                pass
            except OSError:
                break
            try:
                connection.setblocking(True)
                connection.sendall(b"%x\r\n%s\r\n" % (MB, chunk) if chunked else chunk)
                connection.setblocking(False)
                sent += MB
            except OSError:
                break
        connection.setblocking(True)
        connection.settimeout(120)
        try:
            while b"\r\n" not in received:
                more = connection.recv(65536)
                if not more:
                    break
                received += more
        except OSError:
            pass
    parts = received.split(b"\r\n", 1)[0].split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1


def huge_bodies(w: Dict[str, Any], tally: Any, seconds: float) -> None:
    from ft_dcc.server.app import body_limits
    from ft_dcc.server.runtime.config import ServerConfig

    limits = body_limits(ServerConfig(data_dir=Path(w["tmp"])))
    worst: Dict[str, Any] = {}
    for method, path in ROUTES:
        limit = limits.of(path.split("?", 1)[0])
        for chunked in (False, True):
            growth = Growth(w["pid"])
            status = send_huge(w["url"], method, path, chunked)
            grew = growth.stop()
            tally.add(status)
            label = f"{method} {path.split('?', 1)[0]}{' chunked' if chunked else ''}"
            worst[label] = {"status": status, "grew_mb": round(grew / MB, 1),
                            "limit_mb": round(limit / MB, 3)}  # fmt: skip
            if status >= 500 or status < 0:
                tally.find(f"{label}: {status}")
            if grew > min(limit, HUGE) + NOISE:
                tally.find(f"{label}: a process grew {grew / MB:.0f} MB (limit {limit / MB:g})")
    w["figures_extra"]["huge_bodies_most_grown_mb"] = max(
        row["grew_mb"] for row in worst.values())
    w["figures_extra"]["huge_bodies"] = {k: v for k, v in worst.items() if v["grew_mb"] >= 1}


# -- the limiter's cost ----------------------------------------------------------------------
def limiter_cost(w: Dict[str, Any], tally: Any, seconds: float) -> None:
    from ft_dcc.server.limits import limiter
    from ft_dcc.server.model.storage import make_engine

    engine = None
    if w["database"]:
        engine = make_engine(w["database"])
        counts: Any = limiter.DatabaseCounts(engine, limiter.sa.MetaData(), 60.0)
    else:
        counts = limiter.MemoryCounts(60.0)
    guard = limiter.Limiter(10**9, 10**9, counts)
    rounds = 300 if engine is not None else 20_000
    started = time.perf_counter()
    for index in range(rounds):
        guard.reserve(limiter.PASSWORD, "10.9.9.9", f"bench-{index % 50}").passed()
    per_check = (time.perf_counter() - started) / rounds
    if engine is not None:
        engine.dispose()
    signins = []
    for index in range(20):
        began = time.perf_counter()
        sign_in(tally, w["url"], f"nobody-{uuid.uuid4().hex[:6]}-{index}", "wrong")
        signins.append(time.perf_counter() - began)
    whole = statistics.median(signins)
    w["figures_extra"]["limiter_cost"] = {
        "reserve_and_give_back_ms": round(1000 * per_check, 3),
        "sign_in_ms_median": round(1000 * whole, 1),
        "ratio": round(per_check / whole, 4),
    }  # fmt: skip


ATTACKS: Dict[str, Callable[[Dict[str, Any], Any, float], None]] = {
    "guesses at once": guesses_at_once, "link lock": link_lock, "huge bodies": huge_bodies,
    "limiter cost": limiter_cost,
}  # fmt: skip


def round_args(w: Dict[str, Any], tmp: Path, server_args: List[str], pid: int) -> None:
    """What these attacks need of the round: the CLI's ``--data`` (and ``--database``), the
    database's URL on PostgreSQL, the server's process id."""
    database = server_args[server_args.index("--database") + 1] if (
        "--database" in server_args) else ""  # fmt: skip
    w["cli_args"] = ["--data", str(tmp / "data"), *(["--database", database] if database else [])]
    w["database"] = database
    w["pid"] = pid
