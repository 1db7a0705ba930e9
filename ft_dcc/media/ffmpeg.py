"""Find and run ffmpeg (the static build shipped by ``imageio-ffmpeg``).

Everything else in :mod:`ft_dcc.media` goes through :func:`run_ffmpeg`, which streams
``-progress pipe:1`` into a progress callback and turns a failure into a :class:`MediaError`
that quotes ffmpeg's last lines.
"""

from __future__ import annotations

import collections
import functools
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Callable, Deque, List, Optional, Sequence, Tuple

from ft_dcc.exceptions import MediaError

log = logging.getLogger(__name__)

#: A media progress sink: ``progress(fraction, message)``.
MediaProgress = Callable[[float, str], None]

_INSTALL_HINT = (
    "install the 'imageio-ffmpeg' package into this Python (pip install imageio-ffmpeg), "
    "or point IMAGEIO_FFMPEG_EXE at an ffmpeg executable that has libx264"
)


@functools.cache
def ffmpeg_executable() -> str:
    """The path of the ffmpeg executable; :class:`MediaError` says how to get one if missing.

    ``IMAGEIO_FFMPEG_EXE`` wins, then the binary bundled with ``imageio-ffmpeg`` (found by
    its name, see :func:`_bundled_ffmpeg`), then whatever ``imageio-ffmpeg`` finds.
    """
    override = os.environ.get("IMAGEIO_FFMPEG_EXE")
    if override:
        if Path(override).is_file() or shutil.which(override):
            return shutil.which(override) or override
        raise MediaError(
            f"IMAGEIO_FFMPEG_EXE points at {override!r}, which does not exist.",
            hint="fix or unset IMAGEIO_FFMPEG_EXE",
        )
    bundled = _bundled_ffmpeg()
    if bundled is not None:
        return bundled
    try:
        import imageio_ffmpeg
    except ImportError as error:
        raise MediaError(
            "ffmpeg is not available: imageio-ffmpeg is not installed.", hint=_INSTALL_HINT
        ) from error
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        raise MediaError(f"ffmpeg is not available: {error}", hint=_INSTALL_HINT) from error
    if not exe or not Path(exe).is_file():
        raise MediaError(f"ffmpeg is not available (looked for {exe!r}).", hint=_INSTALL_HINT)
    return exe


#: imageio-ffmpeg names the binary it ships after ffmpeg's version (``ffmpeg-linux-x86_64-v7.1``)
_BUNDLED_NAME = re.compile(r"^ffmpeg-[\w-]+?-v(\d+)\.(\d+)")


def _bundled_ffmpeg() -> Optional[str]:
    """The binary shipped in ``imageio_ffmpeg/binaries``, found without running it, or None.

    ``imageio_ffmpeg.get_ffmpeg_exe`` runs ``ffmpeg -version`` to see that it starts: one
    process more in each publish process. One that cannot start is said by :func:`run_ffmpeg`.
    """
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    folder = Path(imageio_ffmpeg.__file__).parent / "binaries"
    found = [
        path
        for path in folder.glob("ffmpeg-*")
        if _BUNDLED_NAME.match(path.name) and path.is_file() and os.access(path, os.X_OK)
    ]
    return str(found[0]) if len(found) == 1 else None


def _ffmpeg_says(option: str) -> str:
    """What ``ffmpeg -hide_banner OPTION`` prints (``-version``, ``-filters``)."""
    said = run_captured(["-hide_banner", option], timeout=30)
    return said.stdout.decode("utf-8", errors="replace")


def _bundled_version(exe: str) -> Optional[Tuple[int, int]]:
    """(major, minor) from the name of imageio-ffmpeg's own binary; None for any other ffmpeg."""
    path = Path(exe)
    if path.parent.name != "binaries" or path.parent.parent.name != "imageio_ffmpeg":
        return None
    match = _BUNDLED_NAME.match(path.name)
    return (int(match.group(1)), int(match.group(2))) if match else None


@functools.cache
def ffmpeg_version() -> Tuple[int, int]:
    """(major, minor) of :func:`ffmpeg_executable`; (0, 0) when the banner cannot be parsed.

    imageio-ffmpeg's binary says it in its name (a publish process runs no ``-version``); any
    other ffmpeg is asked."""
    named = _bundled_version(ffmpeg_executable())
    if named is not None:
        return named
    out = _ffmpeg_says("-version")
    match = re.search(r"ffmpeg version \D*(\d+)\.(\d+)", out)
    if match:
        return int(match.group(1)), int(match.group(2))
    log.debug("unrecognised ffmpeg version banner: %s", out[:200])
    return (0, 0)


@functools.cache
def has_filter(name: str) -> bool:
    """True when this ffmpeg has the filter ``name`` (``drawtext`` needs libfreetype)."""
    try:
        out = _ffmpeg_says("-filters")
    except MediaError:
        return False
    return any(line.split()[1:2] == [name] for line in out.splitlines() if line.strip())


def cfr_arguments() -> List[str]:
    """Arguments asking for a constant frame rate, spelled for this ffmpeg's version."""
    major, minor = ffmpeg_version()
    if (major, minor) >= (5, 1) or major == 0:
        return ["-fps_mode", "cfr"]
    return ["-vsync", "cfr"]


def _no_window() -> dict:
    """Keep a console window from flashing up on Windows hosts."""
    if sys.platform == "win32":
        return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)}
    return {}


def run_captured(
    args: Sequence[str], *, timeout: Optional[float] = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``ffmpeg args`` to its end with its output captured (a probe, a decode); its exit
    status is the caller's to judge. :class:`MediaError` says how to get ffmpeg if it cannot
    start (the bundled binary is found without running it) or outlives ``timeout`` seconds."""
    try:
        return subprocess.run(
            [ffmpeg_executable(), *args],
            capture_output=True,
            check=False,
            timeout=timeout,
            **_no_window(),
        )
    except OSError as error:
        raise MediaError(f"ffmpeg could not be started: {error}", hint=_INSTALL_HINT) from error
    except subprocess.TimeoutExpired as error:
        raise MediaError(
            f"ffmpeg {' '.join(args[:2])} did not finish in {timeout:g} s",
            hint="check that the ffmpeg this Python finds starts (ffmpeg -version in a terminal)",
        ) from error


def run_ffmpeg(
    args: Sequence[str],
    *,
    what: str,
    total_frames: Optional[int] = None,
    progress: Optional[MediaProgress] = None,
    cwd: Optional[Path] = None,
    feed: Optional[Callable[[IO[bytes]], None]] = None,
) -> str:
    """Run ``ffmpeg args`` and return its stderr; raise :class:`MediaError` when it fails.

    With ``total_frames`` and ``progress``, ffmpeg's ``-progress`` output is turned into
    ``progress(fraction, message)`` calls. ``what`` names the job in error messages.
    """
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-y", "-loglevel", "warning"]
    if progress is not None:
        command += ["-progress", "pipe:1", "-nostats"]
    command += list(args)
    log.debug("running %s", subprocess.list2cmdline(command))
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
            cwd=str(cwd) if cwd else None,
            **_no_window(),
        )
    except OSError as error:
        raise MediaError(
            f"{what}: ffmpeg could not be started: {error}", hint=_INSTALL_HINT
        ) from error

    tail: Deque[str] = collections.deque(maxlen=400)
    assert process.stderr is not None and process.stdout is not None
    reader = threading.Thread(target=_drain, args=(process.stderr, tail), daemon=True)
    reader.start()
    feeding = _start_feed(process, feed)
    try:
        _report_frames(process.stdout, what, total_frames, progress)
    except BaseException:
        # a progress sink may raise to cancel (or the user pressed Ctrl+C): stop ffmpeg too
        process.kill()
        process.wait()
        raise
    process.wait()
    reader.join(timeout=30)
    feed_error = feeding()
    stderr = "\n".join(tail)
    if feed_error is not None and not isinstance(feed_error, BrokenPipeError):
        raise feed_error
    if process.returncode != 0:
        last = "\n".join(_telling_lines(list(tail)))
        raise MediaError(
            f"{what} failed (ffmpeg exit status {process.returncode}):\n{last}",
            hint="check that the input files exist and are readable images or movies",
        )
    return stderr


def _drain(stream: IO[bytes], tail: Deque[str]) -> None:
    """Read ``stream`` (ffmpeg's stderr) to its end, keeping its last lines in ``tail``."""
    for raw in stream:
        tail.append(raw.decode("utf-8", "replace").rstrip())


def _report_frames(
    stdout: IO[bytes], what: str, total_frames: Optional[int], progress: Optional[MediaProgress]
) -> None:
    """Read ffmpeg's ``-progress`` lines from ``stdout`` to its end, reporting each frame."""
    for raw in stdout:
        if progress is None:
            continue
        line = raw.decode("utf-8", "replace").strip()
        if line.startswith("frame=") and total_frames:
            try:
                done = int(line.split("=", 1)[1])
            except ValueError:
                continue
            progress(min(done / total_frames, 1.0), f"{what}: frame {done}/{total_frames}")


def _start_feed(
    process: subprocess.Popen[bytes], feed: Optional[Callable[[IO[bytes]], None]]
) -> Callable[[], Optional[BaseException]]:
    """Run ``feed(process.stdin)`` in a thread; the returned call waits and gives its error."""
    if feed is None:
        return lambda: None
    failure: List[BaseException] = []

    def run() -> None:
        assert process.stdin is not None
        try:
            feed(process.stdin)
        except BaseException as error:
            failure.append(error)
            process.kill()  # the encoder would otherwise wait for frames that never come
        finally:
            try:
                process.stdin.close()
            except OSError:
                pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def finish() -> Optional[BaseException]:
        thread.join()
        return failure[0] if failure else None

    return finish


def _telling_lines(lines: List[str], limit: int = 12) -> List[str]:
    """ffmpeg's error lines first (they may have scrolled up), then its last words."""
    lines = [line for line in lines if line.strip()]
    errors = [line for line in lines if re.search(r"error|invalid|no such|failed", line, re.I)]
    chosen = errors[-(limit - 3) :] if errors else []
    for line in lines[-3:]:
        if line not in chosen:
            chosen.append(line)
    return chosen[-limit:]
