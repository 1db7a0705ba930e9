"""The lock a running server holds on its data (``runtime.data_lock``), held by a real process.

The restore test (``tests/server/store/test_backup.py``) runs it against a real server; here the
cases around it: a SQLite database kept outside the data dir is locked too, a process killed
outright lets go of its lock at once (no record to clean up), and a restore holding the lock
keeps a server from starting on the same data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.waiting import wait_until

pytest.importorskip("sqlalchemy")

from ft_dcc.exceptions import DataInUseError
from ft_dcc.server.runtime.data_lock import LOCK_NAME, restore_lock, server_lock

HOLD = """
import sys, time
from pathlib import Path
from ft_dcc.server.runtime.data_lock import server_lock
with server_lock(Path(sys.argv[1]), sys.argv[2]):
    Path(sys.argv[3]).write_text("held")
    time.sleep(600)
"""


def test_a_killed_holder_lets_go_and_a_sqlite_database_outside_the_data_dir_is_locked(
    tmp_path: Path,
) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "databases"
    elsewhere.mkdir()
    database = f"sqlite:///{elsewhere / 'studio.sqlite'}"
    ready = tmp_path / "ready"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(data), database, str(ready)])
    try:
        wait_until(lambda: ready.exists() or holder.poll() is not None, "the lock to be held",
                   timeout=120)  # fmt: skip
        assert holder.poll() is None
        assert (elsewhere / f"studio.sqlite{LOCK_NAME}").is_file()
        for target in (data, tmp_path / "another-data-dir"):  # the data dir; the database alone
            with pytest.raises(DataInUseError, match="in use by a running ft-dcc server"), \
                    restore_lock(target, database):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)  # killed outright: the kernel lets go of its lock
        holder.wait(timeout=120)
    with restore_lock(data, database), \
            pytest.raises(DataInUseError, match=r"a restore .* is writing"), \
            server_lock(data, database):
        pass
    with server_lock(data, database), server_lock(data, database):  # servers share it
        assert os.path.exists(data / LOCK_NAME)
