"""New databases for the Store tests, each a copy of one made once per test process.

A ``Store`` on a new database creates its hundred tables (``prepare_schema``) and the API user's
seeding inserts the built-in rows (``ensure_builtin_data``): two thirds of the CPU of a test of
what a store does with its rows. Those tests get the same database by copying one made once: on
PostgreSQL a ``CREATE DATABASE … TEMPLATE`` (the cluster's bare template, or a seeded one of this
process), on SQLite a copy of the file. A *seeded* copy holds the built-in rows and the API user
:data:`SEEDED_USER` (``Store.ensure_seed``, which then finds them); a bare one only the tables,
as ``Store(url)`` leaves a new database. The tests of creating and upgrading a database make
theirs from nothing (``tests/server/model``).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path
from typing import Dict, Optional, Tuple

from support.pg_cluster import PgCluster

log = logging.getLogger(__name__)

#: the API user of a seeded copy (the ``user_id`` fixture's)
SEEDED_USER = "test.user"


class StoreDatabases:
    """Makes each template on first use (in ``folder`` for SQLite) and copies it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: (backend, seeded) -> the template's SQLite path or PostgreSQL database name
        self.templates: Dict[Tuple[str, bool], str] = {}

    def new(self, backend: str, seeded: bool, cluster: Optional[PgCluster] = None) -> str:
        """The URL of a new database of ``backend`` ("sqlite" or "postgresql", whose
        ``cluster`` is given), a copy of the template (``seeded`` or bare)."""
        if backend == "sqlite":
            return self._new_sqlite(seeded)
        assert cluster is not None, "a PostgreSQL copy needs the cluster"
        return cluster.create_database(template=self._pg_template(cluster, seeded))

    def _new_sqlite(self, seeded: bool) -> str:
        template = self.templates.get(("sqlite", seeded))
        if template is None:
            template = str(self.folder / f"template-{'seeded' if seeded else 'bare'}.sqlite")
            _prepare(f"sqlite:///{template}", seeded)
            self.templates[("sqlite", seeded)] = template
        copy = self.folder / f"db-{uuid.uuid4().hex[:10]}.sqlite"
        shutil.copyfile(template, copy)
        wal = Path(f"{template}-wal")  # none once the store closed; copied if it stayed
        if wal.exists():
            shutil.copyfile(wal, f"{copy}-wal")
        return f"sqlite:///{copy}"

    def _pg_template(self, cluster: PgCluster, seeded: bool) -> str:
        assert cluster.template is not None, "the cluster's template is made when it starts"
        if not seeded:
            return cluster.template
        name = self.templates.get(("postgresql", True))
        if name is None:  # left in the cluster, which goes at the run's end
            url = cluster.create_database("store_seeded", template=cluster.template)
            _prepare(url, seeded=True)
            name = url.rsplit("/", 1)[1]
            self.templates[("postgresql", True)] = name
        return name


def _prepare(url: str, seeded: bool) -> None:
    """Make the tables of a new database (and seed it), closing every connection after."""
    from ft_dcc.server.store.store import Store

    store = Store(url)
    try:
        if seeded:
            store.ensure_seed(SEEDED_USER)
    finally:
        store.close()
    log.info("store template %s made (seeded: %s)", url, seeded)
