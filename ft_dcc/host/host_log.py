"""What of a host's own output an artist sees after a headless publish (``ft-dcc publish --host``).

All of it with ``ft-dcc -v``; nothing after a publish; the last lines after a failure (the error
may be among them). After a publish that was only queued (exit status 75) the host's noise (EGL
errors, "Saved: frame_0001.png") would read as a failure: only its lines about the server and the
queue are kept, then when the queued work goes out (the queue's order rule, ``backlog.py``: the
next publish that reaches the server sends it first).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TYPE_CHECKING, Callable, List

from ft_dcc.publish.common.report import EXIT_QUEUED

if TYPE_CHECKING:  # pragma: no cover - a TypedDict, for the signature only
    from ft_dcc.host.headless import HeadlessPublish, Outcome

log = logging.getLogger(__name__)

#: the lines of a host's output that say why a publish was queued
QUEUE_LINE = re.compile(r"queue|unreachable|could not reach|connection|offline", re.IGNORECASE)
WHEN_QUEUED = (
    "The queued publish goes out with the next publish that reaches the server (before it, in "
    "your order), or now with 'ft-dcc queue flush'; 'ft-dcc queue list' shows what waits."
)


def _tail(lines: List[str], count: int) -> str:
    kept = lines[-count:]
    return "\n".join(kept) + ("\n" if kept else "")


def host_output_for_artist(outcome: Outcome, verbose: bool, lines: int = 20) -> str:
    """The part of ``outcome['log']`` (the host's output) to show, per the module doc."""
    text = str(outcome.get("log", ""))
    if verbose:
        return text
    code = outcome.get("exit_code")
    if code == 0:
        return ""
    if code == EXIT_QUEUED:
        why = [line for line in text.splitlines() if QUEUE_LINE.search(line)]
        return _tail(why, lines) + WHEN_QUEUED + "\n"
    return _tail(text.splitlines(), lines)


def publish_and_report(publish_result: Callable[..., Outcome], publish: HeadlessPublish) -> int:
    """Publish ``publish.scene`` headless through ``publish_result`` (a host integration's
    ``publish_headless_result``) with the caller's progress display, print the report and what
    of the host's output the artist should see; return the exit status."""
    from ft_dcc.host import headless

    progress = headless.terminal_progress(publish.json)
    outcome = publish_result(publish, progress=progress)
    progress.close()
    # ft-dcc -v: all of the host's output; else its last lines, or why it was only queued
    sys.stderr.write(host_output_for_artist(outcome, log.isEnabledFor(logging.INFO)))
    return headless.print_outcome(outcome, publish.json, repaired=publish.request.repair)
