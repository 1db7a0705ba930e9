"""The farm on the second day: a bundle submitted with the settings' review session name for
today ("Dailies 2026-11-26") publishes from its publish step beside yesterday's open session
("Dailies 2026-11-25"), as ``ft-dcc publish`` does. "Today" is ``FT_DCC_TODAY``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from farm_helpers import farm_env, openjd_run, session_versions, submit
from support import open_session

from ft_dcc.review import sessions as review
from ft_dcc.settings.templates import ENV_TODAY


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_the_farm_publish_step_of_day_two_goes_into_day_twos_session(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    with open_session(embedded_server, tmp_path / "setup") as session:
        project = session.query(f'Project where name is "{shots.project}"').one()
        for older in ("Dailies 2026-11-25", "Dailies 2026-11-24"):
            review.find_or_create_review_session(session, project, older)
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings),
                   **{ENV_TODAY: "2026-11-26"})  # fmt: skip
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(shots.scenes[0]))  # the settings' name: today's
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Dailies 2026-11-26" in done.stdout

    run = openjd_run(bundle, env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert session_versions(embedded_server, tmp_path, "Dailies 2026-11-26", shots.project) == [
        {"asset": "sh010_comp", "task": f"{shots.project}/sq010/sh010/comp"}
    ]
