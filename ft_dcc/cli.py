"""The ``ft-dcc`` command: a thin dispatcher over the command modules of each area.

Each entry in ``COMMAND_MODULES`` names a module that declares its commands as data, a tuple
``COMMANDS`` of :class:`ft_dcc.commands_base.Command`, which ``commands_base`` turns into argparse.
Those modules import only the standard library at import time and load their real work inside
the handler, so
``ft-dcc --help`` is fast and a missing optional extra (the server) is reported only when its
command is used. This module is the composition root: it is the one place allowed to reach both
the core and the optional server.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import List, Optional, Sequence, Tuple

from ft_dcc import __version__
from ft_dcc.commands_base import Command, add_command
from ft_dcc.console import ConsoleLogHandler
from ft_dcc.exceptions import FtDccError

COMMAND_MODULES = (
    "ft_dcc.server.commands.serve",  # server
    "ft_dcc.server.commands.users",  # user
    "ft_dcc.host.commands",  # publish (the host room picks the host), host install|list
    "ft_dcc.publish.commands",  # queue list|flush|drop
    "ft_dcc.publish.context_commands",  # context create
    "ft_dcc.review.commands",  # review list|create|close|reopen|invite|link|feedback
    "ft_dcc.review.webhook_commands",  # webhook add|list|remove|deliveries
    "ft_dcc.demo",  # demo
    "ft_dcc.settings.commands",  # settings show|check|push
    "ft_dcc.farm.commands",  # farm submit (and the job steps' farm capture|publish)
)


DESCRIPTION = (
    "Publish playblasts from Maya, Nuke and Blender (or a movie or image sequence) to ftrack "
    "for web review: capture, encode to H.264, upload, and add the version to a review "
    "session. Also runs an embedded ftrack-compatible server for trying it without an ftrack "
    "site."
)
EPILOG = (
    "Start with 'ft-dcc demo' (a Blender playblast published to the embedded server), then "
    "'ft-dcc publish INPUT --task Project/Seq/Shot/Task'. Connection: FTRACK_SERVER, "
    "FTRACK_API_USER, FTRACK_API_KEY. 'ft-dcc COMMAND --help' explains each command."
)


def commands() -> Tuple[Command, ...]:
    """Every command ``ft-dcc`` offers, in the order of ``COMMAND_MODULES``."""
    declared: Tuple[Command, ...] = ()
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("ft_dcc"):
                continue  # that area is not built yet
            raise
        declared += tuple(module.COMMANDS)
    return declared


def build_parser(argv: Optional[Sequence[str]] = None) -> argparse.ArgumentParser:
    """``ft-dcc``'s parser: every command whole, or, given the command line ``argv``, only the
    command it names (the others with their name and help, as ``ft-dcc --help`` lists them).
    Building every command's arguments and actions took most of the CPU of a short command."""
    parser = argparse.ArgumentParser(prog="ft-dcc", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"ft-dcc {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = _named_command(argv)
    for command in commands():
        if argv is None or command.name == named:
            add_command(subparsers, command)
        else:
            subparsers.add_parser(command.name, help=command.help)
    return parser


def _named_command(argv: Optional[Sequence[str]]) -> Optional[str]:
    """The command ``argv`` names: its first word that is not an option (the top level's
    options take no value)."""
    return next((word for word in argv or () if not word.startswith("-")), None)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    handler = ConsoleLogHandler(sys.stderr)  # log lines never land inside a progress bar
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", handlers=[handler]
    )
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except FtDccError as exc:
        print(f"ft-dcc: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ft-dcc: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
