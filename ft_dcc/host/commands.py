"""``ft-dcc host install NAME [--dest DIR]``: build a host's installable integration; and
``ft-dcc publish``'s choice of host (the files host in-process, else an installed integration
headless): the host room picks the host, the pipeline below it never names one.
Stdlib-only imports at module top, as every command module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ft_dcc.commands_base import Command, arg
from ft_dcc.publish import commands as publish_commands

if TYPE_CHECKING:  # pragma: no cover - imported when a publish runs (stdlib-only at the top)
    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.publish.request.settings_options import SharedRead
    from ft_dcc.settings.resolve import Resolved


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


def run_publish(args: argparse.Namespace) -> int:
    """``ft-dcc publish``; with ``--report FILE`` a publish refused before it made a report
    still leaves one (not published, and why), so a farm wrapper never reads a stale file."""
    from ft_dcc.exceptions import FtDccError

    try:
        return _run_publish(args)
    except FtDccError as exc:
        if args.report:
            from ft_dcc.publish.common.atomic import atomic_write_json
            from ft_dcc.publish.common.report import failed_report

            atomic_write_json(Path(args.report).expanduser(), failed_report([str(exc)]))
        raise


def _run_publish(args: argparse.Namespace) -> int:
    publish_commands.quiet_pyblish_logging()
    host = publish_commands.host_for(args.input[0], args.host)
    publish_commands.check_reviewables(args, host)
    request = publish_commands.request_of(args)  # typed once, here
    if host != "files":
        return _publish_elsewhere(args, host, request)
    from ft_dcc.publish.request.settings_options import SharedRead, open_session

    # one session for the settings read and the publish: its start rides with the settings
    # read, which also reads the publish's task
    shared = SharedRead(open_session())
    try:
        settled, resolved, asked = publish_commands.settle(
            request, host, args.input[0], args.settings, shared
        )
        publish_commands.check_inputs(args)
        return publish_files(args, settled, resolved, shared, asked)
    finally:
        if shared.session is not None:
            shared.session.close()


def _publish_elsewhere(args: argparse.Namespace, host: str, request: PublishRequest) -> int:
    """``ft-dcc publish SCENE --host blender|maya|nuke``: the host publishes headless the
    settled request, handed over in its one JSON form (``ft_dcc.publish.request.wire``), the
    artist's own beside it (what a queued publish journals)."""
    from ft_dcc.host.headless import HeadlessPublish
    from ft_dcc.host.integrations import find_integration

    settled, _, asked = publish_commands.settle(request, host, args.input[0], args.settings)
    report = publish_commands.report_path(args)
    publish = HeadlessPublish(
        scene=Path(args.input[0]), request=settled, report=Path(report) if report else None,
        json=bool(args.json), asked=asked,
    )  # fmt: skip
    return int(find_integration(host).publish_headless(publish))


def publish_files(
    args: argparse.Namespace,
    request: PublishRequest,
    resolved: Resolved,
    shared: Optional[SharedRead] = None,
    asked: Optional[PublishRequest] = None,
) -> int:
    """``ft-dcc publish INPUT… --host files``: publish movies or image sequences in-process
    (``args``: the command line the host is built from; ``request``: the settled request the
    pipeline receives; ``resolved``: its settings, an EXR's colour among them; ``shared``: the
    session and task the settings read used; ``asked``: the artist's own request, which a
    queued publish journals)."""
    import attr

    from ft_dcc.console import ConsoleProgress
    from ft_dcc.host.files import FilesHost
    from ft_dcc.media.colour import ColourSettings
    from ft_dcc.publish.api import run_publish as run_pipeline
    from ft_dcc.publish.request.request import PublishRuntime
    from ft_dcc.publish.request.settings_options import files_colour

    colour = files_colour(publish_commands.colour_request(args), resolved, args.input[0])
    host = FilesHost(
        args.input[0],
        fps=args.fps,
        frame_range=request.frames,
        colour=None
        if colour is None
        else ColourSettings(
            config=colour.get("ocio_config"),
            input_colorspace=colour.get("input_colorspace"),
            display=colour.get("display"),
            view=colour.get("view"),
            look=colour.get("look"),
        ),
        audio=args.audio,
        audio_offset=int(args.audio_offset or 0),
        still=request.still,
    )
    progress = ConsoleProgress(sys.stderr, plain=True if args.json else None)
    runtime = PublishRuntime(progress=progress, asked=asked)
    if shared is not None and shared.session is not None:
        runtime = attr.evolve(runtime, session=shared.session, task=shared.task)
    report = run_pipeline(host, request, runtime)
    progress.close()
    report_file = publish_commands.report_path(args)
    if report_file:
        report.save(Path(report_file))
    publish_commands.print_report(report, bool(args.json), repaired=request.repair)
    if report.queued and not args.json:
        sys.stderr.write("ft-dcc: queued (the server could not be reached)\n")
    return publish_commands.exit_status(report)


PUBLISH = Command(
    "publish",
    publish_commands.PUBLISH_HELP,
    run_publish,
    publish_commands.PUBLISH_ARGUMENTS,
    publish_commands.PUBLISH_DESCRIPTION,
)
HOST = Command("host", "install a host integration (Blender add-on, ...)", actions=(
    Command("install", "build a host's installable integration and say where to put it", _install, (
        arg("name", help="host name, e.g. blender"),
        arg("--dest", type=Path, help="folder to write it to (default: current folder)"),
        arg("--ffmpeg", action="store_true", help="also copy this machine's ffmpeg into the "
            "integration's folder for this platform"),
    )),
    Command("list", "list the host integrations and whether their host is found here", _list),
))  # fmt: skip
COMMANDS = (PUBLISH, HOST)
