"""The bar's time left, on a clock the test controls: it appears once a stage has run long enough
to estimate (half a second, more than 2% done), says how long is left, and is gone from the
finished line, which says how long the stage took. (The pty test in ``test_cli_progress.py``
checks the real terminal output; these check the estimate without depending on machine speed.)"""

from __future__ import annotations

import io

from ft_dcc.console import ConsoleProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_running_stage_says_how_long_is_left():
    clock, screen = FakeClock(), Terminal()
    progress = ConsoleProgress(screen, clock=clock)
    progress("encode", 0.0, "frame 0/12")
    assert "left" not in progress.line()  # nothing to estimate from yet
    clock.now += 2.0
    progress("encode", 0.25, "frame 3/12")
    assert progress.line().endswith("3/12 frames  ~6.0s left"), progress.line()
    clock.now += 2.0
    progress("encode", 0.5, "frame 6/12")
    assert progress.line().endswith("~4.0s left"), progress.line()
    assert "~6.0s left" in screen.getvalue() and "~4.0s left" in screen.getvalue()


def test_no_estimate_too_early_or_when_done():
    clock = FakeClock()
    progress = ConsoleProgress(Terminal(), clock=clock)
    progress("upload", 0.5, "")
    clock.now += 0.4  # under half a second: too early to say
    progress("upload", 0.6, "")
    assert "left" not in progress.line()
    clock.now += 1.0
    progress("upload", 1.0, "")
    assert "left" not in progress.line()
    assert progress.line(final=True).endswith("  1.4s"), progress.line(final=True)


def test_the_finished_line_keeps_how_long_it_took():
    clock, screen = FakeClock(), Terminal()
    progress = ConsoleProgress(screen, clock=clock)
    progress("verify", 0.1, "")
    clock.now += 12.3
    progress("verify", 1.0, "")
    progress("thumbnail", 0.0, "")  # the next stage: verify's line is kept, finished
    kept = screen.getvalue().split("\n")[0].split("\r\x1b[2K")[-1]
    assert kept.startswith("  verify ") and kept.endswith(" 100%    12s"), repr(kept)
