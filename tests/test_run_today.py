"""A run that crosses midnight names one day throughout (``FT_DCC_TODAY``, set for the whole run
by tests/conftest.py): the processes a test starts as a user's (a Blender, ``make demo``, a CLI
publish with a clean environment) keep it. A run that crossed midnight failed three tests: a
Blender publish named "Previs" of the new day, the demo's dailies, the desk's "today" badge
(the desk goes by the server's clock: ``tests/server/desk/desk_browser.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.user_env import clean_environ, user_environment

from ft_dcc.settings.templates import ENV_TODAY

ANOTHER_DAY = "2001-02-03"


def test_a_users_process_keeps_the_runs_day(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_TODAY, ANOTHER_DAY)
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "leaks.json"))
    monkeypatch.setenv("FTRACK_SERVER", "http://leak.invalid")
    for env in (user_environment(tmp_path), clean_environ()):
        assert env[ENV_TODAY] == ANOTHER_DAY
        assert "FT_DCC_SETTINGS" not in env and "FTRACK_SERVER" not in env
