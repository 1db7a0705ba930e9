"""A studio's year: the everyday operations of issue 61 timed on a growing studio, side by side.

Usage: ``.venv/bin/python bench/bench_year.py [--sizes 1,10] [--repeat 15] [--frames 5]
[--cache DIR] [--postgres [--workers 4] [--from-sqlite]] [--tree BASELINE_WORKTREE]
[--only OP[,OP]]``

Each size ``N``x is seeded through the server's own ``/api`` (batches of 2,000 creates, each type's
together, as an import sends them): 1x is one project of 8 sequences, 200 shots, 600 tasks and
assets, 2,000 versions, 402 review sessions (400 past dailies of about 15 versions, a 300-version
client session, one scratch session), 6,300 session objects and about 11,000 notes; ``N``x holds
``max(1, N // 5)`` projects of ``N / projects`` times that each (10x: 2 projects of 10,000
versions). A seeded SQLite data dir is kept under ``--cache`` (default
``~/.cache/ft_dcc-bench-year``) and used again by the next run of the same size; a size whose
first projects a smaller cached size holds (30x, 100x: projects of 5x, as 10x) starts from a copy
of it, and a seeding cut short goes on from its last whole project (``seeding.json``; the
project cut short stays, renamed ``yearN-cut-short-…``: the studio then holds a little more).
``--postgres``: a throwaway cluster served by ``--workers`` processes, seeded each run, or with
``--from-sqlite`` filled from the cached SQLite studio of each size by ``ft-dcc server migrate``.

Then, at each size, ``--repeat`` times each: the genuine client's reads over ``/api`` (the latest
version of a task, the notes of a version, a 300-object dailies, a page at offset 10,000 (or half
the versions), a task by project and shot name, a count), the desk's home, a project's sessions, a
version search (sequence, shot, status), the latest of each shot, a 300-version session, adding 50
versions (taken out again after each), the review page's items of the 300-version session, and
(``--frames``) the first frame of a 300-version session's review page with real movies (built once
into the seeded database) in headless Chromium, navigation to the first decoded frame. Prints p50 /
p95 ms per size, the ratio of the largest size's p50 to 1x's, the server's CPU ms per operation
(``/proc``, the server and its worker processes), the seeding rate and the load average, then one
JSON line (``--only "desk: home"``: the operations whose name holds one of those words, the
others not run). No timing is asserted anywhere: a benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import requests
from embedded_server import KEY, USER, Server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

HEADERS = {"ftrack-user": USER, "ftrack-api-key": KEY}
PASSWORD = "bench year password"
BATCH = 2000
SEQUENCES, SHOTS, TASKS, VERSIONS, DAILIES, PER_DAILIES = 8, 200, 3, 2000, 400, 15
BIG_SESSION = 300
#: the order a flushed batch sends its creates in, each type's together and after the types
#: it names (a run of creates of one type is written together: ``store.writing``)
TYPE_ORDER = {name: n for n, name in enumerate((
    "Project", "Sequence", "Shot", "Task", "Asset", "AssetVersion", "ReviewSession",
    "ReviewSessionObject", "Note"))}  # fmt: skip


class Api:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.headers.update(HEADERS)

    def __call__(self, operations: List[Dict[str, Any]]) -> List[Any]:
        reply = self.http.post(self.url + "/api", json=operations, timeout=3600)
        body = reply.json()
        assert reply.status_code == 200 and isinstance(body, list), reply.text[:2000]
        return body

    def rows(self, expression: str) -> List[Dict[str, Any]]:
        return list(self([{"action": "query", "expression": expression}])[0]["data"])


def _create(entity_type: str, **data: Any) -> Dict[str, Any]:
    ident = str(uuid.uuid4())
    return {"action": "create", "entity_type": entity_type, "entity_key": [ident],
            "entity_data": dict(data, id=ident, __entity_type__=entity_type)}  # fmt: skip


def _day(day: dt.date) -> Dict[str, str]:
    return {"__type__": "datetime", "value": f"{day.isoformat()}T20:00:00"}


class Seeder:
    """Creates a project of ``scale`` times the 1x unit through ``api``, in batches."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.pending: List[Dict[str, Any]] = []
        self.rows = 0
        self.schema = api.rows("select id from ProjectSchema")[0]["id"]
        self.asset_type = api.rows('select id from AssetType where short is "upload"')[0]["id"]
        self.user = api.rows(f'select id from User where username is "{USER}"')[0]["id"]
        self.statuses = [s["id"] for s in api.rows("select id, name from Status")][:6]

    def add(self, operation: Dict[str, Any]) -> str:
        self.pending.append(operation)
        if len(self.pending) >= BATCH:
            self.flush()
        return str(operation["entity_key"][0])

    def flush(self) -> None:
        if self.pending:  # each type's creates together, as an import sends them
            self.pending.sort(key=lambda op: TYPE_ORDER.get(op["entity_type"], len(TYPE_ORDER)))
            self.api(self.pending)
            self.rows += len(self.pending)
            self.pending = []

    def project(self, number: int, scale: float) -> Dict[str, Any]:
        code = f"year{number}"
        project = self.add(_create("Project", name=code, full_name=f"Year {number}",
                                   project_schema_id=self.schema))  # fmt: skip
        shots = int(SHOTS * scale)
        sequences = [self.add(_create("Sequence", name=f"sq{s + 1:03d}", parent_id=project))
                     for s in range(SEQUENCES)]  # fmt: skip
        assets, tasks = [], []
        for n in range(shots):
            shot = self.add(_create("Shot", name=f"sh{n + 1:04d}",
                                    parent_id=sequences[n % SEQUENCES]))  # fmt: skip
            for name in ("anim", "light", "comp")[:TASKS]:
                tasks.append(self.add(_create("Task", name=name, parent_id=shot)))
                assets.append(self.add(_create("Asset", name=name, context_id=shot,
                                               type_id=self.asset_type)))  # fmt: skip
        versions = []
        for v in range(int(VERSIONS * scale)):
            versions.append(self.add(_create(
                "AssetVersion", asset_id=assets[v % len(assets)], task_id=tasks[v % len(tasks)],
                version=v // len(assets) + 1, user_id=self.user,
                status_id=self.statuses[v % len(self.statuses)])))  # fmt: skip
        start = dt.date(2025, 1, 1)
        dailies = int(DAILIES * scale)
        closing = []
        for d in range(dailies):
            day = start + dt.timedelta(days=d % 365)
            session = self.add(_create("ReviewSession", name=f"Dailies {day} #{d}",
                                       project_id=project))  # fmt: skip
            chosen = [versions[(d * PER_DAILIES + i) % len(versions)] for i in range(PER_DAILIES)]
            self._objects(session, chosen)
            closing.append((session, day + dt.timedelta(days=1)))
        big = self.add(_create("ReviewSession", name="Client review", project_id=project))
        self._objects(big, versions[-BIG_SESSION:])
        scratch = self.add(_create("ReviewSession", name="Scratch", project_id=project))
        self.flush()  # then the past dailies are closed (a closed session takes no versions)
        for session, end in closing:
            self.add({"action": "update", "entity_type": "ReviewSession", "entity_key": [session],
                      "entity_data": {"end_date": _day(end)}})  # fmt: skip
        self.flush()
        return {"id": project, "code": code, "big": big, "scratch": scratch,
                "version": versions[len(versions) // 2], "task": tasks[len(tasks) // 2],
                "shot": f"sh{shots // 2:04d}", "versions": len(versions),
                "add": versions[:50]}  # fmt: skip

    def _objects(self, session: str, versions: List[str]) -> None:
        for order, version in enumerate(versions):
            item = self.add(_create("ReviewSessionObject", review_session_id=session,
                                    version_id=version, name="v", sort_order=order))  # fmt: skip
            for n in range(2 if order % 4 else 1):
                self.add(_create("Note", content=f"note {n} on {order}", parent_id=item,
                                 parent_type="ReviewSessionObject", user_id=self.user))  # fmt: skip


def projects_of(size: int) -> List[float]:
    count = max(1, size // 5)
    return [size / count] * count


def seed(url: str, size: int, grown: Optional[Dict[str, Any]] = None,
         progress: Optional[Path] = None) -> Dict[str, Any]:  # fmt: skip
    """Seed ``size``; ``grown``: what was seeded already into the database it starts from (a
    smaller size's copy, or this size's seeding cut short: its projects are kept, the rest are
    added; a project cut short is renamed, kept (deleting it costs more than seeding it) and
    seeded again). ``progress``: where what is
    seeded so far is written after each project (to go on from, if the seeding is cut short)."""
    seeder = Seeder(Api(url))
    projects = list(grown["projects"]) if grown else []
    rows = grown.get("rows_here", 0) if grown else 0  # seeded here (not copied), and in
    seconds = grown.get("seconds_here", 0.0) if grown else 0.0
    started = time.monotonic()
    for number, scale in enumerate(projects_of(size)):
        if number < len(projects):
            continue
        partial = seeder.api.rows(f'select id from Project where name is "year{number}"')
        seeder.api([{"action": "update", "entity_type": "Project", "entity_key": [p["id"]],
                     "entity_data": {"name": f"year{number}-cut-short-{p['id'][:8]}"}}
                    for p in partial])  # fmt: skip
        projects.append(seeder.project(number, scale))
        if progress is not None:
            progress.write_text(json.dumps({
                "projects": projects, "rows_here": rows + seeder.rows,
                "seconds_here": seconds + time.monotonic() - started,
                "grown_from": grown.get("grown_from") if grown else None}))  # fmt: skip
    return {"projects": projects, "rows": rows + seeder.rows,
            "seconds": seconds + time.monotonic() - started,
            "grown_from": grown.get("grown_from") if grown else None}  # fmt: skip


def grown_from(cache: Path, size: int) -> Optional[Path]:
    """The cached SQLite studio of the largest smaller size whose projects are ``size``'s first
    ones (``projects_of``: 10x, 30x and 100x all hold projects of 5x), to copy and grow."""
    wanted = projects_of(size)
    for smaller in range(size - 1, 0, -1):
        base = cache / f"sqlite-{smaller}x"
        have = projects_of(smaller)
        if (base / "seeded.json").exists() and have == wanted[: len(have)]:
            return base
    return None


def server_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its children (the workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def signed_in(server: Server, base: Path, database: Optional[str]) -> requests.Session:
    args = [sys.executable, "-m", "ft_dcc", "user", "password", USER, "--password-stdin",
            "--data", str(base / "data")]  # fmt: skip
    args += ["--database", database] if database else []
    done = subprocess.run(args, input=PASSWORD + "\n", text=True, capture_output=True,
                          env=dict(os.environ), check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    browser = requests.Session()
    browser.headers["Origin"] = server.url
    reply = browser.post(server.url + "/signin", data={"username": USER, "password": PASSWORD},
                         allow_redirects=False, timeout=60)  # fmt: skip
    assert reply.status_code == 303, reply.text[:500]
    page = browser.get(server.url + "/desk/", timeout=60).text
    found = re.search(r'data-csrf="([^"]+)"', page)
    assert found is not None
    browser.headers["X-CSRF-Token"] = found.group(1)
    return browser


def operations(server: Server, api: Api, browser: requests.Session, seeded: Dict[str, Any]
               ) -> Dict[str, Callable[[], Any]]:  # fmt: skip
    project = seeded["projects"][0]
    url = server.url

    def query(expression: str) -> Callable[[], Any]:
        return lambda: api([{"action": "query", "expression": expression}])

    def get(path: str) -> Callable[[], Any]:
        def run() -> Any:
            reply = browser.get(url + path, timeout=600)
            assert reply.status_code == 200, (path, reply.status_code, reply.text[:300])

        return run

    link = api([{"action": "get_widget_url", "name": "review_session",
                 "entity_type": "ReviewSession", "entity_key": [project["big"]]}])[0]  # fmt: skip
    link = link["widget_url"] if isinstance(link, dict) else str(link)
    token = re.search(r"token=([^&]+)", link).group(1)  # type: ignore[union-attr]
    scratch = f"/desk/api/session/{project['scratch']}"

    def add_50() -> None:
        added = browser.post(url + scratch + "/add", json={"version_ids": project["add"]},
                             timeout=600)  # fmt: skip
        assert added.status_code == 200, added.text[:300]
        objects = [i["id"] for i in added.json()["items"]]
        assert browser.post(url + scratch + "/remove", json={"object_ids": objects},
                            timeout=600).status_code == 200  # fmt: skip

    offset = min(10_000, project["versions"] // 2)
    return {
        "api: latest version of a task": query(
            f'select id, version from AssetVersion where task_id is "{project["task"]}" '
            "order by version descending limit 1"),
        "api: notes of a version": query(
            f'select id, content from Note where parent_id is "{project["version"]}"'),
        "api: a 300-object dailies": query(
            "select id, version_id, sort_order from ReviewSessionObject "
            f'where review_session_id is "{project["big"]}"'),
        "api: 100 versions at offset 10,000 (or half)": query(
            f"select id from AssetVersion offset {offset} limit 100"),
        "api: task by project and shot name": query(
            f'select id from Task where parent.name is "{project["shot"]}" '
            f'and project.name is "{project["code"]}"'),
        "api: count": query(
            f'select count(id) from AssetVersion where asset.parent.name is "{project["shot"]}"'),
        "desk: home": get("/desk/"),
        "desk: a project's sessions": get(f"/desk/project/{project['id']}"),
        "desk: version search": get(f"/desk/api/project/{project['id']}/versions?sequence=sq002"
                                    f"&shot=sh00&status=a"),
        "desk: latest of each shot": get(f"/desk/api/project/{project['id']}/versions?latest=1"),
        "desk: a 300-version session": get(f"/desk/api/session/{project['big']}"),
        "desk: add 50 versions (and remove)": add_50,
        "review: the 300-version session's items": get(
            f"/review/{project['big']}/items?token={token}&from=0"),
    }


FIRST_FRAME = """document.addEventListener("loadeddata", function () {
  if (!window.__ff) { window.__ff = performance.now(); }
}, true);"""


def frame_session(server: Server, base: Path) -> str:
    """The review session whose page's first frame is timed: 300 versions with a real movie
    each and 3 notes (``tests/web/test_big_session_build``), built once into the seeded
    database (a project of its own) and named in ``frame.json``."""
    marker = base / "frame.json"
    if marker.exists():
        return str(json.loads(marker.read_text())["session"])
    from web.test_big_session_build import Api as BuildApi
    from web.test_big_session_build import Media, build_session

    built = build_session(BuildApi(server.url, USER, KEY), Media(base / "media", base / "data"),
                          BIG_SESSION)  # fmt: skip
    marker.write_text(json.dumps({"session": built.review_session_id}))
    return built.review_session_id


def first_frames(url: str, repeat: int) -> List[float]:
    """Navigation -> the first decoded frame (the first ``loadeddata``) of the page at ``url``
    in headless Chromium, ms, a fresh page each time."""
    from playwright.sync_api import sync_playwright
    from support.browser import CHROMIUM, CHROMIUM_ARGS

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(repeat + 1):  # the first one warms the server's caches
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.add_init_script(FIRST_FRAME)
                page.goto(url)
                page.wait_for_function("() => window.__ff", timeout=300_000)
                found.append(float(page.evaluate("() => window.__ff")))
                context.close()
        finally:
            browser.close()
    return found[1:]


def measure(server: Server, ops: Dict[str, Callable[[], Any]], repeat: int
            ) -> Dict[str, Dict[str, float]]:  # fmt: skip
    found = {}
    for name, run in ops.items():
        run()  # warm
        times = []
        cpu = server_cpu(server.process.pid)
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        cpu = (server_cpu(server.process.pid) - cpu) * 1000 / repeat
        times.sort()
        found[name] = {"p50": statistics.median(times),
                       "p95": times[int(0.95 * (len(times) - 1))], "cpu": cpu}  # fmt: skip
    return found


def chosen(ops: Dict[str, Callable[[], Any]], only: Optional[str]
           ) -> Dict[str, Callable[[], Any]]:  # fmt: skip
    """The operations ``--only`` names (a part of an operation's name each, comma-separated;
    all of them without it)."""
    if not only:
        return ops
    wanted = [w.strip().lower() for w in only.split(",") if w.strip()]
    found = {name: run for name, run in ops.items() if any(w in name.lower() for w in wanted)}
    if not found:
        raise SystemExit(f"--only {only!r} names none of: {', '.join(ops)}")
    return found


def migrate_cached(size: int, base: Path, database: str, args: argparse.Namespace
                   ) -> Dict[str, Any]:  # fmt: skip
    """``--postgres --from-sqlite``: the cached SQLite studio of ``size`` copied into
    ``database`` by ``ft-dcc server migrate`` (its files, keys and first-frame session copied
    into ``base``), instead of seeding it through ``/api`` again; what it seeded, and the
    migration's seconds."""
    cached = Path(args.cache) / f"sqlite-{size}x"
    if not (cached / "seeded.json").exists():
        raise SystemExit(f"--from-sqlite: {cached} is not seeded (run --sizes {size} first)")
    shutil.copytree(cached, base, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("ft_dcc.sqlite*", "*.jsonl", "seed*.json"))
    env = dict(os.environ, PYTHONPATH=args.tree) if args.tree else dict(os.environ)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ft_dcc", "server", "migrate", "--from",
                           f"sqlite:///{cached / 'data' / 'ft_dcc.sqlite'}", "--to", database],
                          capture_output=True, text=True, env=env, cwd=args.tree,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    seeded = json.loads((cached / "seeded.json").read_text())
    return dict(seeded, seconds=time.monotonic() - started, migrated=True)


def settle(database: str) -> None:
    """The throwaway cluster's dirty pages written out (``CHECKPOINT``, as its superuser) before
    anything is timed: a load (seeding, or a migration and its closing ``VACUUM (ANALYZE)``)
    leaves the cluster writing back for minutes, which the first timings paid for; a studio's
    server meets that once, the day it loads, not in its everyday reads."""
    import sqlalchemy as sa

    engine = sa.create_engine(database, poolclass=sa.pool.NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("CHECKPOINT")
    finally:
        engine.dispose()


def run_size(size: int, args: argparse.Namespace) -> Dict[str, Any]:
    cluster, database = None, None
    if args.postgres:
        from support.pg_cluster import PgCluster

        cluster = PgCluster.start()
        database = cluster.create_database("year")
        base = Path(args.cache) / f"postgres-{size}x-{os.getpid()}"
        extra = ["--database", database, "--workers", str(args.workers)]
    else:
        base = Path(args.cache) / f"sqlite-{size}x"
        extra = []
    marker, progress = base / "seeded.json", base / "seeding.json"
    grown = None
    if not marker.exists() and progress.exists():  # a seeding cut short: gone on with
        grown = json.loads(progress.read_text())
    elif not marker.exists() and base.exists():  # cut short before a project: start again
        shutil.rmtree(base)
    smaller = None if args.postgres or base.exists() else grown_from(Path(args.cache), size)
    if smaller is not None:  # its projects are this size's first ones: copied, then grown
        shutil.copytree(smaller, base, ignore=shutil.ignore_patterns("seed*.json", "*.jsonl"))
        grown = {"projects": json.loads((smaller / "seeded.json").read_text())["projects"],
                 "grown_from": smaller.name.split("-")[-1]}  # fmt: skip
        progress.write_text(json.dumps(grown))
    base.mkdir(parents=True, exist_ok=True)
    migrated = migrate_cached(size, base, str(database), args) if args.from_sqlite else None
    if database is not None:
        settle(str(database))
    server = Server(base, extra, start_timeout=600, tree=Path(args.tree) if args.tree else None)
    try:
        api = Api(server.url)
        if migrated is not None:
            seeded = migrated
        elif marker.exists() and not args.postgres:
            seeded = json.loads(marker.read_text())
        else:
            seeded = seed(server.url, size, grown, None if args.postgres else progress)
            marker.write_text(json.dumps(seeded))
        browser = signed_in(server, base, database)
        result = measure(server, chosen(operations(server, api, browser, seeded), args.only),
                         args.repeat)  # fmt: skip
        if args.frames:
            session = frame_session(server, base)
            link = api([{"action": "get_widget_url", "name": "review_session",
                         "entity_type": "ReviewSession", "entity_key": [session]}])[0]
            link = link["widget_url"] if isinstance(link, dict) else str(link)
            cpu = server_cpu(server.process.pid)
            times = sorted(first_frames(link, args.frames))
            cpu = (server_cpu(server.process.pid) - cpu) * 1000 / args.frames
            result["review page: first frame (Chromium)"] = {
                "p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
                "cpu": cpu}  # fmt: skip
    finally:
        server.stop()
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(base, ignore_errors=True)  # a throwaway cluster's files and keys
    kept = ("rows", "seconds", "grown_from", "migrated")
    return {"seeded": {k: seeded.get(k) for k in kept}, "ops": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10", help="multiples of the 1x studio (1,10,100)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "ft_dcc-bench-year"))
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--from-sqlite", action="store_true", help="with --postgres: copy each "
                        "size's cached SQLite studio in (ft-dcc server migrate) instead of "
                        "seeding it through /api")  # fmt: skip
    parser.add_argument("--frames", type=int, default=5, help="times the review page's first "
                        "frame is timed in headless Chromium (0: not)")  # fmt: skip
    parser.add_argument("--tree", help="serve with the ft_dcc of this source tree (a git worktree "
                        "of a baseline revision) instead of this one's")  # fmt: skip
    parser.add_argument("--only", help="run only the operations whose name holds one of these "
                        "comma-separated words (\"desk: home,api: count\")")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: run_size(size, args) for size in sizes}
    first, last = sizes[0], sizes[-1]
    backend = f"PostgreSQL, {args.workers} workers" if args.postgres else "SQLite, one process"
    print(f"{backend}; p50 / p95 ms (server CPU ms per operation); ratio {last}x / {first}x p50")
    print("| operation | " + " | ".join(f"{s}x p50 / p95 (CPU)" for s in sizes) + " | ratio |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for name in results[first]["ops"]:
        cells = []
        for size in sizes:
            op = results[size]["ops"][name]
            cells.append(f"{op['p50']:.1f} / {op['p95']:.1f} ({op['cpu']:.0f})")
        ratio = results[last]["ops"][name]["p50"] / results[first]["ops"][name]["p50"]
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    for size in sizes:
        seeded = results[size]["seeded"]
        rate = seeded["rows"] / seeded["seconds"] if seeded["seconds"] else 0
        grown = seeded.get("grown_from")
        grown = f", grown from the {grown} studio" if grown else ""
        how = "seeded through /api"
        if seeded.get("migrated"):  # the seconds are the migration's
            how, grown = "copied from the cached SQLite studio by ft-dcc server migrate", ""
        print(f"{size}x: {seeded['rows']} rows {how} in {seeded['seconds']:.0f} s "
              f"({rate:.0f} rows/s, when seeded{grown})")  # fmt: skip
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(json.dumps({str(k): v for k, v in results.items()}))


if __name__ == "__main__":
    main()
