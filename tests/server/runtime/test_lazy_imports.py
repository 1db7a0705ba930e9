"""A server process loads what serving needs, not what one rare request needs: Pillow (sized
thumbnails) and the client's media package (server-side encodes) load on first use, and
SQLAlchemy's PostgreSQL dialect only in a server that uses PostgreSQL (its package loads the
asyncpg dialect too: about a fifth of a SQLite server's imports). Every server and each of its
workers paid for them at start: a test run starts about 300."""

import subprocess
import sys

SCRIPT = """
import sys
import ft_dcc.server.app, ft_dcc.server.commands.workers
print("\\n".join(sorted(sys.modules)))
"""

#: loaded on first use only (the thumbnail route; an encode job)
ON_FIRST_USE = ("PIL", "ft_dcc.media", "sqlalchemy.dialects.postgresql")


def test_starting_a_server_loads_neither_pillow_the_media_package_nor_postgresql():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = done.stdout.split()
    assert "ft_dcc.server.files.thumbnails" in loaded  # the routes that use them are there
    early = [n for n in loaded if any(n == m or n.startswith(m + ".") for m in ON_FIRST_USE)]
    assert not early, f"a server's start loaded {early}"


STORE_SCRIPT = """
import sys
from ft_dcc.server.store.store import Store
store = Store("sqlite:///" + sys.argv[1])
store.ensure_seed("test.user")
store.close()
print("\\n".join(sorted(sys.modules)))
"""


def test_a_sqlite_store_opened_and_seeded_loads_no_postgresql_dialect(tmp_path):
    """The store's tables keep PostgreSQL's index options (hash, partial) without the dialect:
    tests/server/model/test_new_database.py sees them in PostgreSQL's indexes."""
    done = subprocess.run(
        [sys.executable, "-c", STORE_SCRIPT, str(tmp_path / "opened.sqlite")],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    loaded = done.stdout.split()
    assert "ft_dcc.server.store.shared_tables" in loaded
    assert [n for n in loaded if n.startswith("sqlalchemy.dialects.postgresql")] == []
