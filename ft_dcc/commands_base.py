"""The ``ft-dcc`` command line declared as data: each area's command module lists its commands
as :class:`Command` values (name, help, arguments, handler) and :func:`add_command` builds
argparse from them, here and nowhere else.

Standard library only: every ``ft-dcc`` process builds the whole parser, so what it loads is
kept to the command modules (``tests/test_cli_startup.py``). A handler is a function of its
command module that imports its real work when it runs.
"""

from __future__ import annotations

import argparse
from typing import (
    TYPE_CHECKING,
    Callable,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypedDict,
    Union,
)

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

#: what runs a command: its parsed arguments in, the exit status out
Handler = Callable[[argparse.Namespace], int]


class ArgOptions(TypedDict, total=False):
    """What ``argparse.add_argument`` is given besides the flags."""

    help: str
    metavar: str
    type: Callable[[str], object]
    default: object
    action: Union[str, Type[argparse.Action]]
    choices: Sequence[str]
    nargs: str
    dest: str
    required: bool


class Arg(NamedTuple):
    """One argument: its flags (or a positional's name) and its options."""

    flags: Tuple[str, ...]
    options: ArgOptions


def arg(*flags: str, **options: Unpack[ArgOptions]) -> Arg:
    """An :class:`Arg`, written as ``add_argument`` is called."""
    return Arg(flags, options)


class Group(NamedTuple):
    """Arguments shown under a title in the help, or of which at most one may be given."""

    arguments: Tuple[Arg, ...]
    title: Optional[str] = None
    #: at most one of them (``required``: exactly one)
    exclusive: bool = False
    required: bool = False


class Command(NamedTuple):
    """One command (``ft-dcc NAME``) or action (``ft-dcc NAME ACTION``).

    A command with ``actions`` and no ``run`` prints its help and exits 2 when given none."""

    name: str
    help: str
    run: Optional[Handler] = None
    arguments: Tuple[Union[Arg, Group], ...] = ()
    description: Optional[str] = None
    actions: Tuple[Command, ...] = ()
    #: how the help names the actions
    metavar: str = "ACTION"


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], command: Command
) -> argparse.ArgumentParser:
    """Add ``command`` (its arguments, then its actions) to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        command.name, help=command.help, description=command.description
    )
    for item in command.arguments:
        _add_argument(parser, item)
    parser.set_defaults(handler=command.run or help_handler(parser))
    if command.actions:
        actions = parser.add_subparsers(dest=f"{command.name}_command", metavar=command.metavar)
        for action in command.actions:
            add_command(actions, action)
    return parser


def _add_argument(parser: argparse.ArgumentParser, item: Union[Arg, Group]) -> None:
    if isinstance(item, Arg):
        parser.add_argument(*item.flags, **item.options)
        return
    group: Union[argparse._ArgumentGroup, argparse._MutuallyExclusiveGroup]
    if item.exclusive:
        group = parser.add_mutually_exclusive_group(required=item.required)
    else:
        group = parser.add_argument_group(item.title)
    for argument in item.arguments:
        group.add_argument(*argument.flags, **argument.options)


def help_handler(parser: argparse.ArgumentParser) -> Handler:
    """The handler of a command given without its action: ``parser``'s help, exit status 2."""

    def show_help(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return show_help


def walk(commands: Sequence[Command], path: Tuple[str, ...] = ()) -> Tuple[Tuple[str, ...], ...]:
    """Every command line the table declares, commands before their actions: ``("review",)``,
    ``("review", "list")`` …"""
    lines: Tuple[Tuple[str, ...], ...] = ()
    for command in commands:
        line = (*path, command.name)
        lines += (line, *walk(command.actions, line))
    return lines
