"""``ft-dcc host install NAME [--dest DIR]``: build a host's installable integration."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    host = subparsers.add_parser("host", help="install a host integration (Blender add-on, ...)")
    host_commands = host.add_subparsers(dest="host_command", metavar="ACTION")
    install = host_commands.add_parser(
        "install", help="build a host's installable integration and say where to put it"
    )
    install.add_argument("name", help="host name, e.g. blender")
    install.add_argument(
        "--dest", type=Path, default=None, help="folder to write it to (default: current folder)"
    )
    install.add_argument(
        "--ffmpeg",
        action="store_true",
        help="also copy this machine's ffmpeg into the integration's folder for this platform",
    )
    install.set_defaults(handler=_install)
    listing = host_commands.add_parser(
        "list", help="list the host integrations and whether their host is found here"
    )
    listing.set_defaults(handler=_list)
    host.set_defaults(handler=lambda args: _usage(host))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _install(args: argparse.Namespace) -> int:
    from ft_dcc.host.integrations import find_integration

    integration = find_integration(args.name)
    built = integration.install(args.dest)
    print(integration.install_instructions(built))
    from ft_dcc.host import bundle

    print(bundle.python_note())
    if getattr(args, "ffmpeg", False):
        print(f"ffmpeg for {bundle.platform_tag()}: {bundle.add_ffmpeg(bundle.payload_of(built))}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from ft_dcc.host.integrations import available_integrations, find_integration

    for name in available_integrations():
        status = getattr(find_integration(name), "status", None)
        print(f"{name:<8} {status() if status else 'installed'}")
    return 0
