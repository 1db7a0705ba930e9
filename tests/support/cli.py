"""``python -m ft_dcc ARGS`` run to its end, as the tests run the CLI a user types.

One helper for the test files that each had their own ``subprocess.run([sys.executable, "-m",
"ft_dcc", ...], capture_output=True, text=True)``: the process is a child of the test process's
zygote (``support.launcher``: no interpreter start nor imports to pay), its output captured in
temporary files (no pipe to drain while it runs). The tests of the installed ``ft-dcc`` script,
the Python path, start-up time or imports keep real subprocesses.
"""

from __future__ import annotations

import locale
import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Any, Mapping, Optional, Sequence, Union

from support import launcher


def run_ft_dcc(
    args: Sequence[Union[str, Path]],
    env: Optional[Mapping[str, str]] = None,
    cwd: Union[str, Path, None] = None,
    input: Union[str, bytes, None] = None,
    timeout: Optional[float] = 120,
    check: bool = False,
    text: bool = True,
    module: str = "ft_dcc",
) -> subprocess.CompletedProcess:
    """``ft-dcc ARGS`` with ``env`` as its whole environment (default: this process's), like
    ``subprocess.run(..., capture_output=True)``: stdout and stderr captured (decoded, newlines
    translated, with ``text``), ``input`` its stdin (else an empty one), ``TimeoutExpired``
    after ``timeout`` seconds (the process killed), ``CalledProcessError`` with ``check``.
    ``module``: another program run as ``python -m MODULE ARGS`` (``openjd``)."""
    command = [str(arg) for arg in args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with tempfile.TemporaryFile() as given:
            if input is not None:
                given.write(input.encode() if isinstance(input, str) else input)
                given.seek(0)
            stdin = subprocess.DEVNULL if input is None else given
            process = launcher.launch(
                command, env=env, cwd=cwd, stdin=stdin, stdout=out, stderr=err, module=module
            )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise subprocess.TimeoutExpired(
                process.args, timeout or 0, _read(out, text), _read(err, text)
            ) from None
        done = subprocess.CompletedProcess(
            process.args, returncode, _read(out, text), _read(err, text)
        )
    if check:
        done.check_returncode()
    return done


def _read(stream: IO[bytes], text: bool) -> Any:
    stream.seek(0)
    data = stream.read()
    if not text:
        return data
    decoded = data.decode(locale.getpreferredencoding(False))
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


def ft_dcc(env: Mapping[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``ft-dcc ARGS`` with ``env`` over this process's environment."""
    return run_ft_dcc(args, env=dict(os.environ, **env), timeout=timeout)
