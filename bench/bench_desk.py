"""The dailies desk at 300 versions: its first paint and adding 50 versions, each against a
10-version session in the same run (the ratio is what to compare between runs: the machine's
speed moves any one figure).

Usage: ``.venv/bin/python bench/bench_desk.py [--versions 300] [--notes 3] [--runs 5]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port with a temporary data dir, seeds one project
(``--versions`` + 10 + 100 versions over shots of 3 versions each) and two sessions: a big one
of ``--versions`` versions and a small one of 10, each version with ``--notes`` notes. The
server's first user gets a password and signs in as a browser does. Then, medians of ``--runs``:

- the session page's HTML (what the first screen needs) and its JSON (every item): wall time;
- in a real headless Chromium (when installed): the page's first contentful paint and the time
  its whole list is drawn (``performance.now()`` when ``#desk-items`` says loaded);
- adding 50 versions from the desk (one ``POST /desk/api/session/<id>/add``, answered with the
  whole session): wall time, on fresh copies of each session each run.

Prints each figure with its ratio big/small, then one JSON line. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import requests
from embedded_server import KEY, USER, Server

HEADERS = {"ftrack-user": USER, "ftrack-api-key": KEY, "ftrack-strict-api": "true"}
CHROMIUM = "/usr/bin/chromium-headless-shell"


def api(server: Server, operations: List[Dict[str, Any]]) -> List[Any]:
    reply = requests.post(server.url + "/api", json=operations, headers=HEADERS, timeout=300)
    reply.raise_for_status()
    return reply.json()


def create(entity_type: str, **data: Any) -> Dict[str, Any]:
    ident = data.setdefault("id", str(uuid.uuid4()))
    return {"action": "create", "entity_type": entity_type, "entity_key": [ident],
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip


def seed_versions(server: Server, project: str, count: int) -> List[str]:
    """``count`` versions, three per shot (one asset each)."""
    versions: List[str] = []
    for start in range(0, count, 3):
        shot, asset = create("Shot", name=f"sh{start:04d}", parent_id=project), None
        asset = create("Asset", name="anim", context_id=shot["entity_key"][0])
        made = [create("AssetVersion", asset_id=asset["entity_key"][0], version=n + 1)
                for n in range(min(3, count - start))]  # fmt: skip
        api(server, [shot, asset, *made])
        versions += [m["entity_key"][0] for m in made]
    return versions


def seed_session(server: Server, project: str, versions: List[str], notes: int) -> str:
    session = create("ReviewSession", name=f"bench {uuid.uuid4().hex[:6]}", project_id=project)
    objects = [create("ReviewSessionObject", review_session_id=session["entity_key"][0],
                      version_id=v, name="anim", sort_order=i) for i, v in enumerate(versions)]
    for start in range(0, len(objects), 100):
        api(server, ([session] if start == 0 else []) + objects[start:start + 100])
    written = [create("Note", content=f"note {n}", parent_id=o["entity_key"][0],
                      parent_type="ReviewSessionObject") for o in objects for n in range(notes)]
    for start in range(0, len(written), 300):
        api(server, written[start:start + 300])
    return str(session["entity_key"][0])


def sign_in(server: Server, base: Path) -> Tuple[requests.Session, str]:
    password = "bench " + uuid.uuid4().hex
    subprocess.run([sys.executable, "-m", "ft_dcc", "user", "password", USER, "--password-stdin",
                    "--data", str(base / "data")], input=password + "\n", text=True, check=True,
                   capture_output=True)  # fmt: skip
    browser = requests.Session()
    browser.headers.update({"Accept": "text/html", "Origin": server.url})
    reply = browser.post(server.url + "/signin", data={"username": USER, "password": password},
                         allow_redirects=False, timeout=60)  # fmt: skip
    assert reply.status_code == 303, reply.text[:500]
    page = browser.get(server.url + "/", timeout=60).text
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, page[:500]
    return browser, found.group(1)


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def http_figures(server: Server, browser: requests.Session, session: str, runs: int
                 ) -> Dict[str, float]:  # fmt: skip
    def get(path: str) -> None:
        assert browser.get(server.url + path, timeout=120).status_code == 200

    html = [timed(lambda: get(f"/desk/session/{session}")) for _ in range(runs)]
    full = [timed(lambda: get(f"/desk/api/session/{session}")) for _ in range(runs)]
    return {"html_s": statistics.median(html), "json_s": statistics.median(full)}


def browser_figures(server: Server, browser: requests.Session, session: str, runs: int
                    ) -> Dict[str, float]:  # fmt: skip
    """First contentful paint and the whole list drawn, in Chromium (empty without it)."""
    if not Path(CHROMIUM).exists():
        return {}
    from playwright.sync_api import sync_playwright

    cookies = [{"name": c.name, "value": c.value or "", "url": server.url} for c in browser.cookies]
    paints, lists = [], []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless"])
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies(cookies)
        page = context.new_page()
        for _ in range(runs):
            page.goto(f"{server.url}/desk/session/{session}")
            page.wait_for_function("() => document.querySelector('#desk-items').dataset.loaded"
                                   " === '1' && (window.__listed = performance.now())")
            paints.append(page.wait_for_function(
                "() => { const p = performance.getEntriesByName('first-contentful-paint');"
                " return p.length && p[0].startTime; }").json_value() / 1000)
            lists.append(page.evaluate("window.__listed") / 1000)
        chromium.close()
    return {"first_paint_s": statistics.median(paints), "list_s": statistics.median(lists)}


def add_figure(server: Server, browser: requests.Session, csrf: str, project: str,
               base_versions: List[str], extra: List[str], notes: int, runs: int
               ) -> float:  # fmt: skip
    times = []
    for _ in range(runs):
        session = seed_session(server, project, base_versions, notes)
        start = time.perf_counter()
        reply = browser.post(f"{server.url}/desk/api/session/{session}/add",
                             json={"version_ids": extra}, headers={"X-CSRF-Token": csrf},
                             timeout=300)  # fmt: skip
        times.append(time.perf_counter() - start)
        assert reply.status_code == 200 and len(reply.json()["added"]) == len(extra)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=300)
    parser.add_argument("--notes", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench_desk_"))
    server = Server(base)
    try:
        project = str(uuid.uuid4())
        api(server, [create("Project", id=project, name="benchdesk", full_name="benchdesk")])
        versions = seed_versions(server, project, args.versions + 60)
        big_versions, small_versions = versions[: args.versions], versions[:10]
        extra = versions[args.versions: args.versions + 50]
        big = seed_session(server, project, big_versions, args.notes)
        small = seed_session(server, project, small_versions, args.notes)
        browser, csrf = sign_in(server, base)
        figures: Dict[str, Dict[str, float]] = {"big": {}, "small": {}}
        for name, session in (("big", big), ("small", small)):
            figures[name].update(http_figures(server, browser, session, args.runs))
            figures[name].update(browser_figures(server, browser, session, args.runs))
        for name, base_versions in (("big", big_versions), ("small", small_versions)):
            figures[name]["add50_s"] = add_figure(server, browser, csrf, project, base_versions,
                                                  extra, args.notes, args.runs)  # fmt: skip
        for key in figures["big"]:
            ratio = figures["big"][key] / figures["small"][key]
            print(f"{key:14} {args.versions} versions {figures['big'][key]:.3f} s   10 versions "
                  f"{figures['small'][key]:.3f} s   ratio {ratio:.2f}")
        print(json.dumps({"versions": args.versions, "notes": args.notes, **figures}))
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
