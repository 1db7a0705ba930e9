"""Run ``ft-dcc`` under a pseudo-terminal and read back what a person would see (pyte, a VT100
emulator, applies the carriage returns and erase sequences exactly as a terminal does)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import termios
import time
from typing import List, Optional, Sequence, Tuple

import pyte

from support import launcher


def ft_dcc_in_pty(
    args: Sequence[str], env: Optional[dict] = None, columns: int = 100, timeout: float = 120
) -> Tuple[int, bytes]:
    """Run ``ft-dcc ARGS`` (a child of the test process's zygote: ``support.launcher``) with
    stdin, stdout and stderr on a pty ``columns`` wide; its exit status and every byte it
    wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    try:
        process = launcher.launch(list(args), env=env, stdin=slave, stdout=slave, stderr=slave)
    finally:
        os.close(slave)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed its side
                break
            if not data:
                break
            output += data
    finally:
        if process.poll() is None and time.monotonic() >= deadline:
            process.kill()
        os.close(master)
    return process.wait(timeout=10), output


def screen_lines(output: bytes, columns: int = 100, rows: int = 400) -> List[str]:
    """The non-empty lines a ``columns``-wide terminal shows after ``output``."""
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    stream.feed(output)
    return [line.rstrip() for line in screen.display if line.strip()]
