"""1,000 notes in a minute are mailed as one digest per person, and cost the requests that write
them next to nothing.

Usage: ``.venv/bin/python bench/bench_digest.py [--notes 1000] [--seconds 60] [--people 5]
[--window 300]``

Two servers in the same run, each with the same world (an artist's version in a review session,
a Supervisor's personal link, ``--people`` Users to mention): the *baseline* sends no mail (no
``--smtp-url``: notices are still recorded and expanded, no digest is made), the *digest* server
mails through an SMTP server on 127.0.0.1 (aiosmtpd) with the default window of 300 s
(``--window``, ``FT_DCC_MAIL_DIGEST_SECONDS``; a busy machine may take longer than ``--seconds``
to write the notes, which a window shorter than the writing would cut in two letters).
``--notes`` page notes are written to each, paced over ``--seconds``, the two servers taken in
turn (the machine's load falls on both alike), each note mentioning one of the people in turn.
Printed: the letters each person got (the claim: one each, the artist's holding every note, each
mentioned person's holding theirs), the median and 90th percentile time of a note's request on
each server and the digest/baseline ratio, and each server process's CPU seconds over the run
and their ratio. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from server.notify.digest_checks import dailies, settled
from support.insiders import item_post, make_world
from support.smtp import SmtpServer, body_text
from support.trust import add_api_user, ok, update
from support.waiting import wait_until


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` (all its threads), from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _world(folder: Path, name: str, people: int, extra: List[str]) -> Dict[str, Any]:
    world = make_world(folder / name, "sqlite", None, extra)
    names = []
    for number in range(people):
        user = f"p{number}"
        user_id, _key = add_api_user(world.server, user)
        ok(world.server, [update("User", user_id, email=f"{user}@studio.example")])
        names.append(user)
    return {"world": world, "review": dailies(world), "people": names, "times": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--window", type=float, default=300.0)
    options = parser.parse_args()
    smtp = SmtpServer().start()
    window = options.window
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "xdg")
        os.environ["FT_DCC_MAIL_DIGEST_SECONDS"] = str(window)
        servers: Dict[str, Dict[str, Any]] = {}
        try:
            servers["baseline"] = _world(Path(folder), "baseline", options.people, [])
            servers["digest"] = _world(Path(folder), "digest", options.people,
                                       ["--smtp-url", smtp.url])  # fmt: skip
            cpu_before = {n: cpu_seconds(s["world"].server.process.pid) for n, s in servers.items()}
            started = time.monotonic()

            def write(number: int) -> None:
                # the servers in turn, each note due at its place in the paced minute
                due = started + options.seconds * number / options.notes
                time.sleep(max(0.0, due - time.monotonic()))
                for name in (("baseline", "digest") if number % 2 else ("digest", "baseline")):
                    state = servers[name]
                    person = state["people"][number % len(state["people"])]
                    began = time.perf_counter()
                    reply = item_post(state["world"], state["review"], state["review"].token,
                                      "notes", frame=1001 + number % 48,
                                      content=f"bench note {number} for @{person}")  # fmt: skip
                    state["times"].append(time.perf_counter() - began)
                    assert reply.status_code == 201, reply.text[:300]

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(write, range(options.notes)))
            wrote = time.monotonic() - started
            world = servers["digest"]["world"]
            expected = 1 + options.people
            wait_until(lambda: len(smtp.messages) >= expected and settled(world),
                       f"{expected} digests", timeout=window + 600)  # fmt: skip
            cpu = {n: cpu_seconds(s["world"].server.process.pid) - cpu_before[n]
                   for n, s in servers.items()}  # fmt: skip
            letters: Dict[str, List[Any]] = {}
            for message in smtp.messages:
                letters.setdefault(str(message["To"]), []).append(message)
            print(f"{options.notes} notes written to each server in {wrote:.1f} s "
                  f"(digest window {window:.0f} s)")  # fmt: skip
            for who, got in sorted(letters.items()):
                text = "".join(body_text(m, "plain") for m in got)
                held = len(re.findall(r"bench note \d+", text)) + sum(
                    int(n) for n in re.findall(r"and (\d+) more", text))  # fmt: skip
                print(f"  {who}: {len(got)} letter(s) holding {held} notes")
            for name, state in servers.items():
                times = sorted(state["times"])
                print(f"  {name}: note request median {statistics.median(times) * 1000:.1f} ms, "
                      f"p90 {times[int(len(times) * 0.9)] * 1000:.1f} ms, "
                      f"server CPU {cpu[name]:.1f} s")  # fmt: skip
            base, mail = servers["baseline"]["times"], servers["digest"]["times"]
            print(f"  ratio digest/baseline: median "
                  f"{statistics.median(mail) / statistics.median(base):.2f}, CPU "
                  f"{cpu['digest'] / max(cpu['baseline'], 1e-9):.2f}")  # fmt: skip
        finally:
            for state in servers.values():
                state["world"].server.stop()
            smtp.stop()


if __name__ == "__main__":
    main()
