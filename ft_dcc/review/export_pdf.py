"""The notes report as a PDF (``notes.pdf``): ``notes.html`` with its drawn frames, printed by
Chromium's own print-to-PDF (``--headless --print-to-pdf``), so the PDF is what a browser prints
(the report's print style sheet: A4 landscape, a version per page, no note split).

Chromium is found as ``$FT_DCC_CHROMIUM`` when set, else the first of ``chromium``,
``chromium-browser``, ``google-chrome``, ``google-chrome-stable`` on ``PATH``; without one the
export says so before anything is downloaded. Each print runs with a throwaway profile folder
(never the user's), and without Chromium's sandbox only when run as root, where Chromium
refuses to start with it; the page printed is the export's own escaped HTML. Standard library only.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional

from ft_dcc.exceptions import ConfigurationError, MediaError

log = logging.getLogger(__name__)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV = "FT_DCC_CHROMIUM"
#: a generous bound for one print (a report with many frames on a busy machine)
TIMEOUT = 300


def find_chromium() -> str:
    """The Chromium (or Chrome) to print with, else :class:`ConfigurationError` saying how."""
    named = os.environ.get(ENV, "").strip()
    found: Optional[str] = shutil.which(named) if named else None
    if named and not found:
        raise ConfigurationError(
            f"{ENV}={named!r} is no program that can be run",
            hint=f"set {ENV} to Chromium's or Chrome's path, or unset it",
        )
    for name in BROWSERS if not named else ():
        found = shutil.which(name)
        if found:
            break
    if not found:
        raise ConfigurationError(
            "writing --format pdf needs Chromium (or Chrome) to print the notes report, and "
            "none was found on PATH",
            hint=f"install Chromium (Debian/Ubuntu: apt install chromium) or set {ENV} to its "
            "path; or open notes.html in a browser and print it to PDF from there",
        )
    return found


def _command(chromium: str, html: Path, pdf: Path, profile: str) -> List[str]:
    command = [
        chromium, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        f"--user-data-dir={profile}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
        f"--print-to-pdf={pdf}", html.resolve().as_uri(),
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium will not start sandboxed as root
    return command


def print_pdf(html: Path, pdf: Path, chromium: Optional[str] = None) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium; :class:`MediaError` when it fails."""
    browser = chromium or find_chromium()
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="ft-dcc-pdf-") as profile:
        try:
            done = subprocess.run(
                _command(browser, html, pdf.resolve(), profile),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise MediaError(f"Chromium could not print {html.name} to PDF: {exc}") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise MediaError(
            f"Chromium could not print {html.name} to PDF (exit {done.returncode}): "
            + " / ".join(tail)
        )
    log.debug("printed %s to %s", html, pdf)
    return pdf
