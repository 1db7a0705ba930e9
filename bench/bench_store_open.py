"""The CPU of opening a store (a server's start: ``Store(url)``, its upgrade step included): this
working tree against a baseline revision, side by side on one machine.

Usage: ``.venv/bin/python bench/bench_store_open.py [--baseline HEAD] [--opens 100]
[--rounds 6] [--database postgresql://…]``

The suite starts hundreds of servers, most on a database that is already current (a test's
second server, a copy of the PostgreSQL template) or new. A child process of each tree (the
baseline a ``git worktree add`` of ``--baseline``) opens a store ``--opens`` times and prints its
own CPU (user + system) for them: on one current database, then each on a new SQLite file; and
``first``, its CPU from its start to its first store opened (on the current database: the imports
and the tables' definitions, what each server and command pays once). The
two trees' children take turns, ``--rounds`` times, so both see the same machine; prints each
one's CPU per open and the ratio this tree / baseline (< 1: this tree costs less), then one JSON
line. With ``--database`` the current database is that PostgreSQL one (the client's CPU only:
the PostgreSQL server's is not counted). Needs ``git``; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
#: the child: opens a store ``opens`` times, prints its CPU-s for the current and new databases
CHILD = """
import json, sys, time, logging
from pathlib import Path
from ft_dcc.server.store.store import Store
logging.disable(logging.WARNING)
url, folder, opens = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
Store(url).close()  # made (or found) once, and the imports and caches warm
first = time.process_time()
start = time.process_time()
for _ in range(opens):
    Store(url).close()
current = time.process_time() - start
start = time.process_time()
for n in range(opens):
    Store(f"sqlite:///{folder / f'new-{n}.sqlite'}").close()
new = time.process_time() - start
print(json.dumps({"current": current / opens, "new": new / opens, "first": first}))
"""


def run_child(tree: Path, url: str, folder: Path, opens: int) -> Dict[str, float]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", CHILD, url, str(folder), str(opens)],
                          cwd=tree, check=True, capture_output=True, text=True)  # fmt: skip
    return {key: float(value) for key, value in json.loads(done.stdout.splitlines()[-1]).items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", help="the git revision to compare with")
    parser.add_argument("--opens", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ft_dcc_bench_open_"))
    baseline = work / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(baseline),
                    args.baseline], check=True)  # fmt: skip
    trees = {"baseline": baseline, "this tree": ROOT}
    sums: Dict[str, Dict[str, List[float]]] = {name: {"current": [], "new": [], "first": []}
                                             for name in trees}  # fmt: skip
    try:
        for index in range(args.rounds):
            for name in list(trees) if index % 2 == 0 else list(trees)[::-1]:
                url = args.database or f"sqlite:///{work / name.replace(' ', '_')}.sqlite"
                got = run_child(trees[name], url, work / "new", args.opens)
                for key, value in got.items():
                    sums[name][key].append(value)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                       check=False)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
    result = {name: {key: sum(values) / len(values) for key, values in each.items()}
              for name, each in sums.items()}  # fmt: skip
    for key, what in (("current", "current database"), ("new", "new database"),
                      ("first", "a process's first")):  # fmt: skip
        ratio = result["this tree"][key] / result["baseline"][key]
        print(f"{what}: baseline {result['baseline'][key] * 1000:.1f} ms CPU per open, "
              f"this tree {result['this tree'][key] * 1000:.1f} ms: ratio {ratio:.2f}")  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
