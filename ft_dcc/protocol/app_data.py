"""The per-user app-data folder of ft_dcc, one per machine and user: the offline queue
(``queue/``), the embedded server's data (``server/``) and the demo's live in it.

In ``ft_dcc.protocol`` because the client and the server both need it and share only this
package; stdlib only (platformdirs when installed, else the same path by each OS's convention).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal, Union

APP_NAME = "ft_dcc"


def user_data_dir(name: str = APP_NAME, author: Union[str, Literal[False], None] = None) -> Path:
    """``platformdirs.user_data_dir(name)`` when installed, else the same path by the OS
    convention; ``author`` as platformdirs takes it (None: the name, on Windows)."""
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir(name, appauthor=author))
    except ImportError:
        pass
    home = Path.home()
    if sys.platform == "win32":
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return local / name if author is False else local / (author or name) / name
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / name
    return Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share")) / name
