"""What the tests' Python processes cost in CPU, started as real subprocesses or forked by the
test process's zygote (tests/support/launcher.py): embedded servers started and stopped as the
fixtures do (``start_server`` and ``stop``), and CLI runs (``ft-dcc queue list``).

Usage: ``.venv/bin/python bench/bench_launcher.py [--servers 10] [--cli 20]``

CPU, not wall time (the machine may be busy): user + system time of this process's reaped
children (``getrusage(RUSAGE_CHILDREN)``). The zygote is one of them: its children's CPU is
added to its own when it reaps them, and to ours when it ends, so the zygote's figure includes
its own start and imports (it is closed before the second reading), spread over the runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support import launcher
from support.trust import start_server


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(runs: int, one: Callable[[int], None]) -> float:
    """CPU-seconds per run of ``one``, the zygote's start and end included when it is used."""
    before = children_cpu()
    for number in range(runs):
        one(number)
    launcher.shutdown()
    return (children_cpu() - before) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--cli", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        os.environ["XDG_DATA_HOME"] = str(base / "xdg")

        def server(number: int) -> None:
            start_server(base / f"server-{number}").stop()

        def cli(number: int) -> None:
            with tempfile.TemporaryFile() as out:
                done = launcher.launch(["queue", "list"], stdout=out, stderr=subprocess.STDOUT)
                assert done.wait(timeout=120) == 0

        for label, runs, one in (("server start+stop", options.servers, server),
                                 ("CLI queue list", options.cli, cli)):  # fmt: skip
            if not runs:
                continue
            os.environ[launcher.DISABLE_ENV] = "0"
            real = measure(runs, one)
            os.environ[launcher.DISABLE_ENV] = "1"
            forked = measure(runs, one)
            print(f"{label}: {real:.3f} CPU-s per run as a subprocess, {forked:.3f} forked by "
                  f"the zygote (its own start included, {runs} runs): "
                  f"{real - forked:.3f} saved per run", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
