"""A big review session against a small one, in the same run: the review page of 300 versions
(3 notes each) and of 10, opened through the owner's own link and the room link, in headless
Chromium and Firefox.

Usage: ``.venv/bin/python bench/bench_big_session.py [--repeat 3] [--versions 300] [--small 10]
[--browsers chromium,firefox]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port, builds both sessions in one API batch each
(one small shared movie, tests/web/test_big_session_build.py), then for every browser, link and
session (a fresh page each run) measures:

- navigation -> the first decoded frame (the first ``loadeddata`` of a video), ms;
- requests and kB before that frame (Chromium: the browser's requests and their sizes; Firefox:
  the requests the server's log shows answered by then, and the Resource Timing sizes);
- navigation -> every item of the session on the page (the page's ``data-all-items-at``), ms;
- one version added to the open session (committed right after the first frame, while the page
  still loads its items and media) -> shown on the page, ms (the added version is taken out of
  the session again after the run).

Prints the medians and the ratios 300/10, and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from embedded_server import KEY, USER, Server  # noqa: E402
from support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web.firefox.firefox import Firefox  # noqa: E402
from web.test_big_session_build import (  # noqa: E402
    Api,
    Built,
    Media,
    add_versions,
    build_session,
    widget_url,
)

FIRST_FRAME = """document.addEventListener("loadeddata", function () {
  if (!window.__ff) { window.__ff = performance.now(); console.log("ft-first-frame"); }
}, true);"""
#: records (Date.now()) when an item the page did not have appears
WATCH_ADDED = """(() => {
  const known = new Set(Array.from(document.querySelectorAll('article.item')).map(a => a.id));
  window.__addedAt = 0;
  new MutationObserver(() => {
    if (window.__addedAt) return;
    for (const a of document.querySelectorAll('article.item'))
      if (!known.has(a.id)) { window.__addedAt = Date.now(); return; }
  }).observe(document.querySelector('main.items'), {childList: true, subtree: true});
  return true;
})()"""
ALL_ITEMS = (
    "(() => { const m = document.querySelector('main.items');"
    " return m && m.dataset.allItemsAt ? +m.dataset.allItemsAt : 0; })()"
)
WAIT_MS = 300_000


class Added:
    """Adds one version to a session's open page and takes it out again."""

    def __init__(self, api: Api, media: Media, built: Built) -> None:
        self.api, self.media, self.built = api, media, built
        self.ids: List[str] = []

    def add(self) -> float:
        """Commit one version; the time (epoch ms) its commit was answered."""
        self.ids = add_versions(self.api, self.media, self.built, 1)
        return time.time() * 1000

    def remove(self) -> None:
        if self.ids:
            self.api([{"action": "delete", "entity_type": "ReviewSessionObject",
                       "entity_key": [i]} for i in self.ids])  # fmt: skip
            self.ids = []


def _sizes(request: Any) -> int:
    try:
        sizes = request.sizes()
        return int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
    except Exception:  # a request cut (a media part the player no longer needs)
        return 0


def chromium_run(browser: Any, url: str, added: Added) -> Dict[str, float]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.add_init_script(FIRST_FRAME)
    seen: List[Any] = []
    cut: List[int] = []
    finished: List[Any] = []  # (sizes() of a request still open -- the live stream -- waits)
    page.on("request", lambda r: seen.append(r))
    page.on("requestfinished", lambda r: finished.append(r))
    page.on("console", lambda m: cut.append(len(seen)) if m.text == "ft-first-frame" else None)
    try:
        page.goto(url)
        page.wait_for_function("() => window.__ff", timeout=WAIT_MS)
        page.evaluate(WATCH_ADDED)
        committed = added.add()
        first = float(page.evaluate("() => window.__ff"))
        page.wait_for_function(f"() => {ALL_ITEMS}", timeout=WAIT_MS)
        page.wait_for_function("() => window.__addedAt", timeout=WAIT_MS)
        shown = float(page.evaluate("() => window.__addedAt"))
        before = seen[: (cut or [len(seen)])[0]]
        done = set(finished)
        return {
            "first_frame_ms": first,
            "requests_before": len(before),
            "kb_before": sum(_sizes(r) for r in before if r in done) / 1024,
            "all_items_ms": float(page.evaluate(f"() => {ALL_ITEMS}")),
            "added_shown_ms": shown - committed,
        }
    finally:
        added.remove()
        context.close()


def firefox_run(firefox: Firefox, server: Server, url: str, added: Added) -> Dict[str, float]:
    mark = len(server.log.read_text().splitlines()) if server.log.exists() else 0
    firefox.goto(url)
    first = float(firefox.wait(
        "document.querySelector('main.items') && +document.querySelector('main.items')"
        ".dataset.firstFrame", WAIT_MS))  # fmt: skip
    firefox.evaluate(WATCH_ADDED)
    try:
        committed = added.add()
        origin = float(firefox.evaluate("performance.timeOrigin"))
        kb = float(firefox.evaluate(
            f"[performance.getEntriesByType('navigation')[0]].concat("
            f"performance.getEntriesByType('resource').filter(e => e.startTime < {first}))"
            ".reduce((sum, e) => sum + (e.transferSize || 0), 0) / 1024"))  # fmt: skip
        all_items = float(firefox.wait(ALL_ITEMS, WAIT_MS))
        shown = float(firefox.wait("window.__addedAt", WAIT_MS))
        lines = server.log.read_text().splitlines()[mark:]
        answered = [json.loads(line) for line in lines if line.strip()]
        cut_at = origin + first
        before = [e for e in answered if _epoch_ms(e["time"]) <= cut_at
                  and str(e.get("path", "")).startswith("/review/")]  # fmt: skip
        return {"first_frame_ms": first, "requests_before": len(before), "kb_before": kb,
                "all_items_ms": all_items, "added_shown_ms": shown - committed}  # fmt: skip
    finally:
        added.remove()


def _epoch_ms(text: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(text).timestamp() * 1000


def medians(runs: List[Dict[str, float]]) -> Dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def measure(
    name: str, run: Callable[[str, Added], Dict[str, float]], links: Dict[str, Dict[str, str]],
    added: Dict[str, Added], repeat: int,
) -> Dict[str, Dict[str, Dict[str, float]]]:  # fmt: skip
    """{link: {session: medians}} of ``run`` over ``repeat`` runs (sessions alternated)."""
    result: Dict[str, Dict[str, Dict[str, float]]] = {}
    for link, urls in links.items():
        runs: Dict[str, List[Dict[str, float]]] = {size: [] for size in urls}
        for _ in range(repeat):
            for size, url in urls.items():
                runs[size].append(run(url, added[size]))
        result[link] = {size: medians(r) for size, r in runs.items()}
        print(f"  {name} {link}: done", file=sys.stderr)
    return result


def table(results: Dict[str, Dict[str, Dict[str, Dict[str, float]]]], big: int, small: int) -> str:
    keys = ("first_frame_ms", "requests_before", "kb_before", "all_items_ms", "added_shown_ms")
    lines = [f"| browser | link | figure | {small} versions | {big} versions | ratio |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for browser, links in results.items():
        for link, sizes in links.items():
            for key in keys:
                a, b = sizes["small"][key], sizes["big"][key]
                ratio = f"{b / a:.2f}" if a else "-"
                lines.append(f"| {browser} | {link} | {key} | {a:.0f} | {b:.0f} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--versions", type=int, default=300)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--browsers", default="chromium,firefox")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-big-session-"))
    load = os.getloadavg()
    server = Server(base)
    results: Dict[str, Any] = {}
    try:
        api = Api(server.url, USER, KEY)
        media = Media(base / "media", base / "data")
        started = time.perf_counter()
        built = {"small": build_session(api, media, args.small),
                 "big": build_session(api, media, args.versions)}  # fmt: skip
        print(f"built both sessions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        links = {
            link: {size: widget_url(api, b.review_session_id, link == "owner")
                   for size, b in built.items()}
            for link in ("owner", "room")
        }  # fmt: skip
        added = {size: Added(api, media, b) for size, b in built.items()}
        wanted = args.browsers.split(",")
        if "chromium" in wanted:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    results["chromium"] = measure(
                        "chromium", lambda u, a: chromium_run(browser, u, a), links, added,
                        args.repeat,
                    )  # fmt: skip
                finally:
                    browser.close()
        if "firefox" in wanted:
            firefox = Firefox(base / "firefox.log")
            try:
                results["firefox"] = measure(
                    "firefox", lambda u, a: firefox_run(firefox, server, u, a), links, added,
                    args.repeat,
                )  # fmt: skip
            finally:
                firefox.close()
    finally:
        server.stop()
    print(table(results, args.versions, args.small))
    print(f"\nmedians of {args.repeat} runs; load average at start {load[0]:.1f}, "
          f"at end {os.getloadavg()[0]:.1f} (2 cores, shared)")  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
