"""The desk's "Invite" answers in the same time whatever the studio's SMTP server does: fast, slow
(5 s a message), refusing connections (down), or accepting them and never answering (silent).
The invitation is queued in the database and sent by the server's mail thread, so the request
never waits on SMTP (``ft_dcc/server/mail``).

Usage: ``.venv/bin/python bench/bench_invite_mail.py [--invites 20]``

Four servers, each mailing through its own SMTP server; a Supervisor (not an administrator)
signed in on each invites one new client per request, the servers taken in turn (each round
starting with the next one) so the machine's load falls on all alike. Prints each server's
median and 90th percentile answer time and its ratio to the fast one's (1.0: the same time).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from server.signin.people import ft_dcc_user, new_signer, signed_in
from support.insiders import make_world, publication
from support.net import free_port
from support.smtp import SmtpServer
from support.trust import create, new_id, ok


def _silent_port() -> socket.socket:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invites", type=int, default=20)
    options = parser.parse_args()
    fast = SmtpServer().start()
    slow = SmtpServer()
    slow.delay = 5.0
    slow.start()
    silent = _silent_port()
    urls = {
        "fast": fast.url,
        "slow (5 s)": slow.url,
        "down (refused)": f"smtp://127.0.0.1:{free_port()}",
        "silent": f"smtp://127.0.0.1:{silent.getsockname()[1]}",
    }
    worlds: Dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "xdg")
        try:
            desks = {}
            for number, (name, url) in enumerate(urls.items()):
                world = worlds[name] = make_world(Path(folder) / f"w{number}", "sqlite", None,
                                                  ["--smtp-url", url])  # fmt: skip
                project = publication(world, world.alice)["project"]
                session = new_id()
                ok(world.server, [create("ReviewSession", id=session, name="Bench",
                                         project_id=project)])  # fmt: skip
                sup = new_signer(world, "sup")
                done = ft_dcc_user(world, "role", sup.name, "--role", "supervisor", "--project",
                                   project)  # fmt: skip
                assert done.returncode == 0, done.stderr
                browser, csrf = signed_in(world, sup)
                desks[name] = (world, session, browser, csrf)
            times: Dict[str, List[float]] = {name: [] for name in urls}
            names = list(desks)
            for number in range(options.invites + 2):  # the first two warm up
                # each round starts with the next server: each follows each other alike (the
                # fast server's mail is delivered, in this process, while the next one answers)
                turn = names[number % len(names):] + names[:number % len(names)]
                for name in turn:
                    world, session, browser, csrf = desks[name]
                    body = {"people": [{"email": f"client{number}@agency.example"}]}
                    started = time.perf_counter()
                    reply = browser.post(f"{world.url}/desk/api/session/{session}/invite",
                                         json=body, headers={"X-CSRF-Token": csrf}, timeout=120)
                    spent = time.perf_counter() - started
                    assert reply.status_code == 200 and reply.json()["mailed"], reply.text[:300]
                    if number >= 2:
                        times[name].append(spent)
            base = statistics.median(times["fast"])
            print(f"{'SMTP server':<16} {'median ms':>10} {'p90 ms':>8} {'ratio':>6}")
            for name, spent in times.items():
                spent.sort()
                p90 = spent[int(0.9 * (len(spent) - 1))]
                median = statistics.median(spent)
                print(f"{name:<16} {median * 1000:>10.1f} {p90 * 1000:>8.1f} "
                      f"{median / base:>6.2f}")  # fmt: skip
            print(f"mails taken: fast {len(fast.messages)}, slow {len(slow.messages)} "
                  "(the slow one takes one per 5 s, after the answers)")  # fmt: skip
        finally:
            for world in worlds.values():
                world.server.stop()
            fast.stop()
            slow.stop()
            silent.close()


if __name__ == "__main__":
    main()
