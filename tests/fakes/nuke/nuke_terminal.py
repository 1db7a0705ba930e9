"""A stand-in for ``nuke -t script.py args...`` that runs ``script.py`` in this Python with the fake
``nuke`` in terminal mode (GUI False). Tests point ``FT_DCC_NUKE`` at a wrapper that runs it."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list) -> int:
    if len(argv) < 2 or argv[0] != "-t":
        print("usage: nuke -t script.py [args...] (the fake supports terminal mode only)")
        return 2
    import nuke

    nuke._fake.reset(gui=False)
    sys.argv = argv[1:]
    try:
        runpy.run_path(argv[1], run_name="__main__")
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
