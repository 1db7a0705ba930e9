"""``ft-dcc publish`` and ``ft-dcc queue list|flush`` (stdlib-only imports at module top)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Iterable, Optional, TextIO, Tuple

from ft_dcc.commands_base import Command, Group, arg

if TYPE_CHECKING:  # pragma: no cover - imported when a publish runs (stdlib-only at the top)
    from ft_dcc.publish.common.report import PublishReport
    from ft_dcc.publish.offline.queue import FlushOutcome, FlushResult
    from ft_dcc.publish.request.options import ColourOptions
    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.publish.request.settings_options import SharedRead
    from ft_dcc.settings.resolve import Resolved

HOST_CHOICES = ("files", "blender", "maya", "nuke")
#: the characters of a queue entry's id that ``queue list`` shows (``queue drop`` takes them)
SHORT_ID = 8
SCENE_HOSTS = {".blend": "blender", ".ma": "maya", ".mb": "maya", ".nk": "nuke"}


def host_for(input_path: str, host: Optional[str]) -> str:
    """The host to publish ``input_path`` with: as given, else from the scene's extension."""
    if host:
        return host
    return SCENE_HOSTS.get(os.path.splitext(input_path)[1].lower(), "files")


def colour_request(args: argparse.Namespace) -> Optional[ColourOptions]:
    """The colour options given, or None when none was."""
    values: ColourOptions = {
        "ocio_config": getattr(args, "ocio_config", None),
        "input_colorspace": getattr(args, "input_colorspace", None),
        "display": getattr(args, "display", None),
        "view": getattr(args, "view", None),
        "look": getattr(args, "look", None),
    }
    return values if any(values.values()) else None


def parse_frames(text: Optional[str]) -> Optional[Tuple[int, int]]:
    """``"1001-1100"`` -> ``(1001, 1100)``; also accepts ``1001:1100`` and negative starts."""
    if not text:
        return None
    for separator in ("-", ":"):
        head, sep, tail = text.strip().rpartition(separator)
        if sep and head and tail:
            try:
                return int(head), int(tail)
            except ValueError:
                continue
    raise argparse.ArgumentTypeError(f"--frames must look like START-END, not {text!r}")


def parse_fps(text: str) -> str:
    """``--fps``: a positive frame rate (``25``, ``23.976``, ``24000/1001``), kept as given."""
    from ft_dcc.media._fps import as_fraction

    try:
        positive = as_fraction(text) > 0
    except (ValueError, ZeroDivisionError, OverflowError):
        positive = False
    if not positive:
        raise argparse.ArgumentTypeError(
            f"--fps must be a frame rate like 25, 23.976 or 24000/1001, not {text!r}"
        )
    return text


def request_of(args: argparse.Namespace) -> PublishRequest:
    """The ``ft-dcc publish`` arguments as the typed request the publish receives (one
    reviewable per ``--camera``, or per input when several are given)."""
    from ft_dcc.publish.request.request import PublishRequest, reviewables_of

    return PublishRequest(
        reviewables=reviewables_of(args.camera, args.input, args.asset),
        task=args.task,
        review_session_name=args.review_session,
        new_review_session=args.new_review_session,
        repair=args.repair,
        comment=args.comment,
        frames=args.frames,
        fps=args.fps,
        thumbnail_frame=args.thumbnail_frame,
        still=args.still,
        still_frame=args.still_frame,
        burnin=args.burnin,
        # absolute: a headless host runs the publish in its own working folder
        burnin_template=os.path.abspath(args.burnin_template) if args.burnin_template else None,
        invitees=args.invite,
        addresses=args.addresses,
        include_source=args.include_source,
    )


def report_path(args: argparse.Namespace) -> Optional[str]:
    """``--report FILE`` made absolute: the report is written where ft-dcc ran, whichever
    process writes it."""
    return os.path.abspath(os.path.expanduser(args.report)) if args.report else None


def verbose_terminal() -> bool:
    """True when ``ft-dcc -v`` asked for details (the root logger shows INFO)."""
    import logging

    return logging.getLogger().isEnabledFor(logging.INFO)


def print_report(
    report: PublishReport, as_json: bool, stream: Optional[TextIO] = None, repaired: bool = True
) -> None:
    """Print a PublishReport: JSON (ids, ``"queued": true``) or the artist-readable text (a
    summary; every step with ``-v``); unless the publish ran the repairs (``repaired``), the
    text says how to ask for those a failed check offers."""
    stream = stream or sys.stdout
    if as_json:
        stream.write(report.to_json() + "\n")
    else:
        stream.write(report.format(verbose=verbose_terminal()) + "\n")
        from ft_dcc.publish.common.report import repair_line

        line = None if repaired else repair_line(report.to_dict())
        if line:
            stream.write(line + "\n")
    stream.flush()


def exit_status(report: PublishReport) -> int:
    """0 published, 75 only queued (``EXIT_QUEUED``), 1 not published."""
    return int(report.exit_code)


def quiet_pyblish_logging() -> None:
    """Keep the terminal at the chosen verbosity: pyblish lowers the root logger to DEBUG
    while a plugin runs, so pin the console handlers to the level ``-v`` chose."""
    import logging

    root = logging.getLogger()
    for handler in root.handlers:
        if handler.level == logging.NOTSET:
            handler.setLevel(root.level)


def settle(
    request: PublishRequest,
    host: str,
    scene: str,
    assignments: Optional[Iterable[str]],
    shared: Optional[SharedRead] = None,
) -> Tuple[PublishRequest, Resolved, PublishRequest]:
    """The request with the studio/project settings filled in (the artist's flags win, ``--set``
    is ``assignments``), those settings, and the artist's own request (the flags and ``--set``
    alone: what a queued publish journals); with ``shared``, read on the publish's session (see
    ``settings_options.resolve_for``)."""
    from ft_dcc.publish.request.settings_options import (
        artist_request,
        parse_assignments,
        settle_request,
    )

    artist = parse_assignments(assignments or ())
    settled, resolved = settle_request(request, host, scene, artist, shared)
    return settled, resolved, artist_request(request, settled, artist)


def check_inputs(args: argparse.Namespace) -> None:
    """A scene is published by its host, not read as a movie or image sequence."""
    for path in args.input:
        scene_host = SCENE_HOSTS.get(os.path.splitext(path)[1].lower())
        if scene_host:
            from ft_dcc.exceptions import HostError

            raise HostError(
                f"{path} is a {scene_host} scene, which the files host cannot read",
                hint=f"publish it with --host {scene_host} (or leave --host out)",
            )


#: the options of ``ft-dcc publish`` only the files host can honour (dest, flag): a scene's
#: review uses the scene's own colour management and sound
FILES_ONLY_OPTIONS = (
    ("ocio_config", "--ocio-config"),
    ("input_colorspace", "--input-colorspace"),
    ("display", "--display"),
    ("view", "--view"),
    ("look", "--look"),
    ("audio", "--audio"),
    ("audio_offset", "--audio-offset"),
)


def check_host_options(args: argparse.Namespace, host: str) -> None:
    """Refuse, naming them, the options ``host`` cannot honour (none is dropped quietly)."""
    from ft_dcc.exceptions import HostError

    given = [flag for dest, flag in FILES_ONLY_OPTIONS if getattr(args, dest, None)]
    if given and host != "files":
        raise HostError(
            f"{', '.join(given)}: for image sequences and movies (--host files); a {host} "
            "publish uses the scene's own colour management and sound",
            hint="set them up in the scene, or leave these options out",
        )
    patterns = [p for p in args.input if "#" in os.path.basename(p) or "%" in os.path.basename(p)]
    if getattr(args, "include_source", False) and host == "files" and patterns:
        raise HostError(
            f"--include-source uploads the input file, and {patterns[0]} is an image sequence",
            hint="publish a movie to include it, or leave --include-source out",
        )
    check_still_options(args, host)
    if getattr(args, "audio_offset", 0) and not getattr(args, "audio", None):
        raise HostError(
            "--audio-offset shifts the sound of --audio, and no --audio was given",
            hint="give the sound file with --audio, or leave --audio-offset out",
        )


#: the hosts that capture a still (``--still``): an image as it is, or one frame of a scene
STILL_HOSTS = ("files", "blender", "maya")


def check_still_options(args: argparse.Namespace, host: str) -> None:
    """``--still`` where the host can capture one; ``--frame`` only for a scene's still."""
    from ft_dcc.exceptions import HostError

    still, frame = getattr(args, "still", False), getattr(args, "still_frame", None)
    if frame is not None and (not still or host == "files"):
        raise HostError(
            "--frame N is the frame a scene's still captures (with --still); "
            + ("an image is its one picture" if host == "files" else "no --still was given"),
            hint="give --still --frame N with a scene, --frames START-END for a range",
        )
    if still and host not in STILL_HOSTS:
        raise HostError(
            f"--still: a {host} publish cannot capture a still yet",
            hint="give a Write whose range is one frame (it publishes a still), or render the "
            "frame to an image and publish that with --host files",
        )


def check_reviewables(args: argparse.Namespace, host: str) -> None:
    """Several inputs are for the files host, cameras for scenes; ``--asset`` names one."""
    from ft_dcc.exceptions import HostError

    check_host_options(args, host)

    if len(args.input) > 1 and host != "files":
        raise HostError(
            f"a {host} publish takes one scene; several inputs are movies or image sequences",
            hint="publish one scene at a time; repeat --camera for several cameras of it",
        )
    if args.camera and host == "files":
        raise HostError(
            "--camera is for scenes (--host blender, maya); a movie or sequence has none",
            hint="leave --camera out, or publish the scene",
        )
    if args.camera and host == "nuke":
        raise HostError(
            "--camera is for scenes (--host blender, maya); a Nuke comp publishes its Write nodes",
            hint="leave --camera out; tick 'publish for review' on the Write nodes to publish "
            "(their ftrack review tab)",
        )
    if args.asset and (len(args.input) > 1 or len(args.camera) > 1):
        raise HostError(
            "--asset names one asset, but this publish makes several versions",
            hint="leave --asset out: each gets its name from the settings' naming.asset "
            "template (e.g. {shot}_{camera}), else from its camera or input",
        )


def run_queue_list(args: argparse.Namespace) -> int:
    from ft_dcc.publish.offline.queue import OfflineQueue

    queue = OfflineQueue(args.queue_dir)
    entries = [entry.summary() for entry in queue.entries()]
    if args.json:
        print(json.dumps({"queue": str(queue.directory), "entries": entries}, indent=2))
        return 0
    if not entries:
        print(f"The offline queue is empty ({queue.directory}).")
        return 0
    print(f"{len(entries)} publish(es) waiting in {queue.directory}, oldest first:")
    for entry in entries:
        error = f"  last error: {entry['last_error']}" if entry["last_error"] else ""
        print(
            f"  {entry['id'][:SHORT_ID]}  {entry['created_at']}  {entry['task']}  "
            f"{entry['asset']}  -> {entry['review_session']!r}  "
            f"({entry['attempts']} attempt(s)){error}"
        )
    print("'ft-dcc queue drop ID' deletes one (the first column is its id).")
    return 0


def run_queue_drop(args: argparse.Namespace) -> int:
    from ft_dcc.exceptions import QueueError
    from ft_dcc.publish.offline.queue import OfflineQueue

    queue = OfflineQueue(args.queue_dir)
    matches = [e for e in queue.entries() if e.id.startswith(args.entry)]
    if len(matches) != 1:
        found = "no queued publish" if not matches else f"{len(matches)} queued publishes"
        raise QueueError(
            f"{found} match {args.entry!r}",
            hint="copy the id from 'ft-dcc queue list' (a unique start is enough)",
        )
    queue.remove(matches[0])
    dropped = matches[0]
    print(
        f"Dropped {dropped.id[:SHORT_ID]} ({dropped.manifest.task_label} "
        f"{dropped.manifest.asset_name}, made {dropped.manifest.created_at})."
    )
    return 0


def run_queue_flush(args: argparse.Namespace) -> int:
    import time

    from ft_dcc.console import ConsoleProgress
    from ft_dcc.publish.common.report import EXIT_QUEUED
    from ft_dcc.publish.offline.queue import OfflineQueue

    queue = OfflineQueue(args.queue_dir)
    progress = ConsoleProgress(sys.stderr, plain=True if args.json else None)
    result = queue.flush(progress=progress)
    while getattr(args, "wait", False) and flush_status(result) == EXIT_QUEUED:
        progress.close()
        sys.stderr.write(
            f"ft-dcc: the server cannot be reached; trying again in {args.interval:g}s\n"
        )
        time.sleep(max(args.interval, 0.1))
        result = queue.flush(progress=progress)
    progress.close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print_flush(result)
    return flush_status(result)


def flush_status(result: FlushResult) -> int:
    """0 all published, 75 (``EXIT_QUEUED``) the server still down, 1 an entry failed."""
    from ft_dcc.publish.common.report import EXIT_QUEUED

    if any(_unreachable(outcome) for outcome in result.outcomes):
        return EXIT_QUEUED
    return 0 if result.ok else 1


def _unreachable(outcome: FlushOutcome) -> bool:
    return outcome.entry_id == "*" or bool(outcome.result.get("unreachable"))


def print_flush(result: FlushResult) -> None:
    """What a flush did, one line per entry; a server still down is one plain line."""
    for outcome in result.outcomes:
        entry = outcome.entry
        task = str(entry.get("task") or "")
        task = task if "/" in task else ""  # a journaled entry knows its task by id only
        what = f"{task} {entry.get('asset', '')}".strip()
        if outcome.ok:
            number = outcome.result.get("version_number")
            version = f" v{number:03d}" if number else ""
            link = outcome.result.get("review_url")
            print(f"  published: {what}{version} (made {entry.get('created_at', '?')})")
            if link:
                print(f"    review: {link}")
            for warning in outcome.result.get("warnings") or []:
                print(f"    warning: {warning}")
        elif not _unreachable(outcome):
            print(f"  FAILED: {outcome.entry_id[:SHORT_ID]} {what}: {outcome.message}")
    if any(_unreachable(outcome) for outcome in result.outcomes):
        stays = "publish stays" if result.remaining == 1 else "publishes stay"
        print(
            f"The ftrack server still cannot be reached; {result.remaining} {stays} queued. "
            "Run 'ft-dcc queue flush' again when it is back."
        )
        return
    print(f"{result.flushed} published, {result.remaining} still queued.")


# -- the command line: ``ft-dcc publish``'s arguments (the host room declares the command, with
# its choice of host: ft_dcc.host.commands) and ``ft-dcc queue list|flush|drop``
WHAT_AND_WHERE = (
    arg("input", metavar="INPUT", nargs="+", help="a scene file, a movie, an image sequence "
        "(shot.%%04d.exr, shot.####.exr or any one of its frames) or a still (one image with no "
        "frame number: concept.png, or any image with --still); several movies, sequences or "
        "stills (--host files) become several versions in one all-or-nothing publish"),
    arg("--host", choices=HOST_CHOICES,
        help="default: from INPUT (.blend: blender, .ma/.mb: maya, .nk: nuke, else files)"),
    arg("--task", help="task id or Project/Sequence/Shot/Task (default: $FTRACK_CONTEXTID)"),
    arg("--review-session", help='review session name (default: "Dailies YYYY-MM-DD")'),
    arg("--new-review-session", action="store_true", help="create --review-session even when "
        "its name is close to an open session's (without it, a name two typos away from one is "
        "refused as a misspelling)"),
    arg("--comment", default="", help="the version's comment"),
    arg("--repair", action="store_true", help="when a check fails, run the repairs it offers "
        "(e.g. save the scene) in the host, then check again once"),
    arg("--frames", metavar="START-END", type=parse_frames, help="frame range, e.g. 1001-1100"),
    arg("--fps", type=parse_fps, help="frame rate, e.g. 25, 23.976 or 24000/1001"),
    arg("--camera", action="append", default=[], help="camera to capture through (DCC hosts); "
        "repeated, each camera becomes its own version, all in one all-or-nothing publish"),
    arg("--thumbnail-frame", type=int, metavar="FRAME", help="the frame of the thumbnail and the "
        "review page's poster (default: the middle one)"),
    arg("--still", action="store_true", help="publish one picture as a still (an "
        "ftrackreview-image, no movie): any one image, whatever its number, or one frame of a "
        "scene; an image with no frame number in its name is a still without it"),
    arg("--frame", type=int, metavar="N", dest="still_frame", help="with --still on a scene: "
        "the frame to capture (default: the scene's current frame)"),
)  # fmt: skip
MEDIA_OPTIONS = (
    Group(title="colour (scene-linear input: EXR, or any input given --input-colorspace)",
          arguments=(
        arg("--ocio-config", metavar="CONFIG", help="OCIO config file or ocio:// URI (default: "
            "$OCIO, else ocio://studio-config-latest)"),
        arg("--input-colorspace", metavar="NAME",
            help="the frames' colourspace (default: scene_linear)"),
        arg("--display", help="OCIO display (default: the config's default display)"),
        arg("--view", help="OCIO view (default: the display's default view)"),
        arg("--look", help="OCIO look applied before the view (default: colour.look)"),
    )),
    Group(title="burn-ins and slate", arguments=(
        arg("--burnin", choices=("off", "on", "slate", "both"), help="burn-ins on every frame "
            "(on), a slate frame before the first (slate), both, or none (default: on when a "
            "template is given, else off)"),
        arg("--burnin-template", metavar="FILE", help="the studio's burn-in/slate template, "
            "JSON (default: $FT_DCC_BURNIN_TEMPLATE)"),
    )),
    Group(title="sound", arguments=(
        arg("--audio", metavar="FILE", help="a sound file for the review (files host)"),
        arg("--audio-offset", type=int, default=0, metavar="FRAMES", help="the sound starts this "
            "many frames after the input's first frame (default 0)"),
    )),
)  # fmt: skip
#: who is invited, the asset, what else is uploaded, the report, and settings overrides
VERSION_OPTIONS = (
    arg("--invite", action="append", default=[], metavar="EMAIL", help="invite to the session"),
    arg("--addresses", nargs="+", action="extend", default=[], metavar="NOTE_ID",
        help="the open to-do notes of the task this version addresses (ft-dcc review notes "
        "--task T --open): completed and answered in the version's own commit"),
    arg("--asset", help="asset name (default: from the input's name)"),
    arg("--include-source", action="store_true", help="also upload INPUT as a source component"),
    arg("--report", metavar="FILE", help="also save the report as JSON here"),
    arg("--json", action="store_true", help="print the report as JSON"),
    # studio settings (ft_dcc.settings): the one seam is settings_options.publish_options
    arg("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
        help="override one setting for this publish, e.g. --set capture.scale=0.5 (see 'ft-dcc "
        "settings show')"),
)  # fmt: skip
PUBLISH_ARGUMENTS = (*WHAT_AND_WHERE, *MEDIA_OPTIONS, *VERSION_OPTIONS)
PUBLISH_HELP = "publish a scene, movie or image sequence for review in ftrack"
PUBLISH_DESCRIPTION = (
    "Publish INPUT for web review: capture (or read), encode to H.264, upload, and add the new "
    "version to a review session. Exit status 0 when published, 75 when only queued (the "
    "server could not be reached), 1 when not published."
)

JSON = arg("--json", action="store_true", help="print JSON")
QUEUE_DIR = arg("--queue-dir", help="the spool folder (default: $FT_DCC_QUEUE_DIR)")
QUEUE = Command("queue", "the offline publish queue", actions=(
    Command("list", "show queued publishes", run_queue_list, (JSON, QUEUE_DIR)),
    Command("flush", "publish every queued publish now", run_queue_flush, (
        JSON,
        arg("--wait", action="store_true", help="while the server cannot be reached, try again "
            "every --interval seconds until it answers (a login item, or a farm node's last task)"),
        arg("--interval", type=float, default=30.0, metavar="SECONDS", help="default: 30"),
        QUEUE_DIR,
    )),
    Command("drop", "delete a queued publish that can never succeed (e.g. its task was removed)",
            run_queue_drop,
            (arg("entry", metavar="ID", help="the entry id (or a unique start of it)"), QUEUE_DIR)),
))  # fmt: skip
COMMANDS = (QUEUE,)
