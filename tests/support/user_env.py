"""The environment of a user's process started by a test (a Blender, ``make demo``): HOME, the
XDG folders and the temp dir of its own under a test folder, the repository on PYTHONPATH, and
none of the machine's FTRACK_* / FT_DCC_* variables leaking in (but the run's day). The temp
dir keeps what such a process leaves there (the folder a Blender ended by ``os._exit`` does not
remove, a publish's work folder) out of the machine's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict

from ft_dcc.settings.templates import ENV_TODAY

ROOT = Path(__file__).resolve().parents[2]


def user_environment(folder: Path) -> Dict[str, str]:
    """``os.environ`` for a process of its own: HOME (with .cache and .config) and TMPDIR under
    ``folder``."""
    home = folder / "home"
    for sub in ("", ".cache", ".config"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    env = clean_environ()
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        TMPDIR=str(folder / "tmp"),
        PYTHONPATH=str(ROOT),
    )
    return env


def clean_environ() -> Dict[str, str]:
    """``os.environ`` without the machine's FTRACK_* / FT_DCC_* settings, but the run's day
    (``FT_DCC_TODAY``: tests/conftest.py sets it for the whole run, so that a run crossing
    midnight names one day in every process)."""
    return {
        k: v for k, v in os.environ.items()
        if k == ENV_TODAY or not k.startswith(("FTRACK_", "FT_DCC_"))
    }  # fmt: skip
