"""``ft-dcc context create PROJECT/SEQUENCE/SHOT/TASK`` (stdlib-only imports at module top).

The work is :mod:`ft_dcc.publish.context.context_create`, on the ftrack server of ``FTRACK_SERVER``
(the embedded one or a real ftrack).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Optional

from ft_dcc.commands_base import Command, arg
from ft_dcc.publish.commands import parse_frames

if TYPE_CHECKING:  # pragma: no cover - loaded when the command runs
    from fractions import Fraction

    from ft_dcc.publish.context.context_create import ContextResult


def _fps(text: Optional[str]) -> Optional[Fraction]:
    if text is None:
        return None
    from ft_dcc.exceptions import ValidationError
    from ft_dcc.media._fps import as_fraction

    try:
        return as_fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise ValidationError(
            f"--fps {text!r} is not a frame rate", hint="write it as 25, 23.976 or 24000/1001"
        ) from None


def run_create(args: argparse.Namespace) -> int:
    from ft_dcc.exceptions import ValidationError
    from ft_dcc.publish.context.context_create import (
        ContextSpec,
        ensure_context,
        parse_context_path,
    )
    from ft_dcc.session import Session

    project, sequence, shot, task = parse_context_path(args.path)
    if args.frames is not None and args.frames[1] < args.frames[0]:
        start, end = args.frames
        raise ValidationError(
            f"--frames {start}-{end} ends before it starts", hint=f"write it as {end}-{start}"
        )
    spec = ContextSpec(
        project=project, sequence=sequence, shot=shot, task=task,
        fps=_fps(args.fps), frames=args.frames, task_type=args.task_type,
        change_frames=bool(args.change_frames),
    )  # fmt: skip
    with Session() as session:
        result = ensure_context(session, spec)
    print_result(result)
    return 0


def print_result(result: ContextResult) -> None:
    """Which server, every change (or that none was needed) and what is there now."""
    if not result.changes:
        print(
            f"ft-dcc context: {result.path} on {result.server}: already as asked, nothing changed"
        )
    else:
        print(f"ft-dcc context: {result.path} on {result.server}:")
        for change in result.changes:
            print(f"  {change}")
    print(f"  {result.describe()}")


CONTEXT = Command(
    "context",
    "make the project/sequence/shot/task a publish goes to",
    description="Work contexts on the ftrack server of FTRACK_SERVER (or the embedded one).",
    actions=(
        Command(
            "create",
            "create a project/sequence/shot/task (what exists is kept; run it again freely)",
            run_create,
            (
                arg("path", metavar="PROJECT/SEQUENCE/SHOT/TASK"),
                arg(
                    "--fps", metavar="R", help="the shot's frame rate, e.g. 25, 23.976, 24000/1001"
                ),
                arg(
                    "--frames",
                    metavar="A-B",
                    type=parse_frames,
                    help="the shot's frame range, e.g. 1001-1048",
                ),
                arg(
                    "--change-frames",
                    action="store_true",
                    help="change the range the shot already has to --frames (without it, a "
                    "differing --frames is refused: the shot's other tasks use its range)",
                ),
                arg(
                    "--task-type",
                    metavar="T",
                    help="the task's type, e.g. Animation (default: the type named like the "
                    "task, else Generic)",
                ),
            ),
            "Create what is missing of PROJECT/SEQUENCE/SHOT/TASK and set the shot's frame range "
            "and rate (ftrack's fstart/fend/fps custom attributes, which a publish checks "
            "against). What already exists as asked is left alone; every change is listed.",
        ),
    ),
)
COMMANDS = (CONTEXT,)
