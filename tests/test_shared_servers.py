"""Each shared server starts once per test process, whichever conftest hands it out.

The shared SQLite server is reached four ways: by its own name (``embedded_server``), through
parametrised overrides of that name (session-scoped in ``tests/compat`` and ``tests/events``,
module-scoped in ``tests/js``) and through a parametrised fixture's ``getfixturevalue``
(``any_server`` in ``tests/server/limits``). One test of each, in one process: every server the
fixtures start gets a data folder ``embedded<N>`` of the run's ``--basetemp``; there must be one.

pytest gives a fixture the test's parameter of that fixture *name*: an override parametrised
over ``embedded_server`` that asked for the root ``embedded_server`` made the test's parameter
("sqlite", "postgresql-4-workers") the root fixture's cache key, and a module-scoped override
made the root's teardown a module's. A test elsewhere asking for it without a parameter, or a
later parameter or module, tore the server down and started another (``support.servers``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: one test per way to the shared SQLite server (each cheap; the JS one skips without Node,
#: after its fixture has handed out the server)
TESTS = [
    "compat/test_project_own_id.py::test_api_query_selects_a_projects_own_id_as_its_project_id",
    "js/test_js_client_review.py::test_client_review_fields_round_trip",
    "server/limits/test_bulk_commit.py::test_a_batch_beyond_the_upper_bound_is_refused_naming_it",
    "events/test_embedded_server.py::test_embedded_server_rejects_bad_credentials",
    "server/http/test_cors.py::test_by_default_no_origin_is_allowed_and_preflights_are_answered",
]


def test_the_shared_sqlite_server_starts_once_in_a_process(tmp_path: Path) -> None:
    base = tmp_path / "base"
    selected = [str(HERE / test) for test in TESTS]
    args = ["-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", "--basetemp", str(base)]
    done = subprocess.run(
        [sys.executable, *args, "-k", "sqlite or by_default", *selected],
        cwd=HERE.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(TESTS)} passed" in done.stdout or "1 skipped" in done.stdout, done.stdout
    started = sorted(path.name for path in base.glob("embedded[0-9]*"))
    assert started == ["embedded0"], started
