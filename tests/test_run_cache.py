"""A test run keeps what its processes cache out of the user's own cache: the clients' schema
files (one per server address, ~130 KB; the run's servers listen on new ports, so a day of runs
left thousands in ``~/.cache/ft_dcc``), the drawings the hosts download, the browsers' caches.
The run gives its processes a cache folder of its own (``XDG_CACHE_HOME``), removed at its end."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

from ft_dcc.host.overlay import default_folder as drawings_folder
from ft_dcc.session.schema_cache import default_cache_directory

#: the cache folder of the user running the tests, as their login (not the environment) says
USERS_CACHE = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache"


def _outside_users_cache(path: Path) -> bool:
    return USERS_CACHE not in path.resolve().parents


def test_the_clients_cache_in_a_test_process_is_the_runs_not_the_users() -> None:
    assert _outside_users_cache(default_cache_directory()), default_cache_directory()
    assert _outside_users_cache(drawings_folder()), drawings_folder()


def test_a_process_a_test_starts_caches_in_the_runs_folder_too() -> None:
    code = "from ft_dcc.session.schema_cache import default_cache_directory as d; print(d())"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), check=True,
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert out == str(default_cache_directory())
    assert _outside_users_cache(Path(out)), out
