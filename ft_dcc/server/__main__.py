"""``python -m ft_dcc.server [--data DIR] [--port N] ...`` is ``ft-dcc server ...``."""

from __future__ import annotations

import argparse
import logging
import sys

from ft_dcc.commands_base import add_command
from ft_dcc.server.commands.serve import SERVER


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ft_dcc.server")
    add_command(parser.add_subparsers(dest="command"), SERVER)
    args = parser.parse_args(["server", *sys.argv[1:]])
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
