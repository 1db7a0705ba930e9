"""A private virtual X display per GUI run: Xvfb picks a free display number itself.

``xvfb-run -a`` guesses a free number from /tmp/.X*-lock files and races with every other
``xvfb-run`` started at the same moment (parallel test workers, other test runs on the
machine). ``Xvfb -displayfd`` binds a free display atomically and writes its number once it
accepts connections, so no two runs share a display and nothing waits on a fixed delay.
"""

from __future__ import annotations

import os
import select
import subprocess
from contextlib import contextmanager
from typing import Iterator

#: How long Xvfb may take to come up on a loaded machine (a condition, not a delay).
START_TIMEOUT = 120.0


@contextmanager
def virtual_display(screen: str = "1280x800x24") -> Iterator[str]:
    """Run an Xvfb server for the ``with`` block; yields its ``DISPLAY`` (e.g. ``":3"``)."""
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"]
    process = subprocess.Popen(
        command, pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    os.close(write_end)
    try:
        number = _read_display_number(read_end, process)
        yield f":{number}"
    finally:
        os.close(read_end)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_display_number(read_end: int, process: subprocess.Popen[bytes]) -> str:
    ready, _, _ = select.select([read_end], [], [], START_TIMEOUT)
    number = os.read(read_end, 64).decode("ascii", "replace").strip() if ready else ""
    if not number.isdigit():
        process.kill()
        _, errors = process.communicate()
        raise RuntimeError(
            f"Xvfb did not report a display within {START_TIMEOUT:.0f} s: "
            f"{errors.decode(errors='replace')[-2000:]} (is Debian's xvfb installed?)"
        )
    return number
