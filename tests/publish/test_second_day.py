"""The settings' review session name holds tomorrow: names the ``naming.review_session`` template
makes for different values of its fields ("Dailies 2026-11-25" and "Dailies 2026-11-26") are
never taken for a misspelling of each other, while a typed name one edit from an open session's
is still refused. "Today" is set with ``FT_DCC_TODAY`` (the clock seam of the settings'
templates), never by waiting for a day to pass."""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from support import make_sequence, make_task, open_session
from support.cli import run_ft_dcc

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review
from ft_dcc.review.names import close_matches, near_names
from ft_dcc.settings.templates import ENV_TODAY, current_date, made_by, review_session_name

DAY_ONE, DAY_TWO = "2026-11-25", "2026-11-26"


def test_names_of_one_template_are_not_near_each_other_but_typos_are() -> None:
    template = "Dailies {date}"
    assert made_by(template, "Dailies 2026-11-26") and made_by(template, "Dailies 2026-12-31")
    assert not made_by(template, "Dailies 2026-11-2")  # a digit short: no date
    assert not made_by(template, "Dailies 2026-11-32")  # no such day
    assert not made_by(template, "dailies 2026-11-26")  # the template's own text differs
    assert not made_by(template, "Dailes 2026-11-26")
    opened = ["Dailies 2026-11-25", "Dailies 2026-11-24", "Lookdev"]
    assert close_matches("Dailies 2026-11-26", opened)  # the plain distance finds them...
    assert near_names("Dailies 2026-11-26", opened, template) == []  # ...the template does not
    assert near_names("Dailes 2026-11-25", opened, template)[0] == "Dailies 2026-11-25"
    assert near_names("Dailies 2026-11-2", opened, template)[0] == "Dailies 2026-11-24"
    assert near_names("dailies 2026-11-25", opened, template)[0] == "Dailies 2026-11-25"
    weekly = "{project} client wk{week} ({user})"
    assert near_names("p1 client wk48 (ann)", ["p1 client wk47 (ann)"], weekly) == []
    assert near_names("p1 client wk48 (ann)", ["p1 client wk48 (anne)"], weekly) == []
    assert near_names("p1 clint wk48 (ann)", ["p1 client wk48 (ann)"], weekly) != []
    assert near_names("Dailies 2026-11-26", ["Dailies 2026-11-25"], "Dailies") != []


def test_today_is_the_machine_date_unless_the_seam_names_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_TODAY, raising=False)
    assert current_date() == _dt.date.today()
    monkeypatch.setenv(ENV_TODAY, "2026-12-31")
    assert current_date() == _dt.date(2026, 12, 31)
    assert review_session_name("Dailies {date}") == "Dailies 2026-12-31"
    assert review.default_review_session_name() == "Dailies 2026-12-31"


@pytest.fixture
def project_task(embedded_server: Any, tmp_path: Path) -> Tuple[Any, str, str, Any]:
    """(setup session, task id, task path, project) of a new 25 fps shot task."""
    setup = open_session(embedded_server, tmp_path / "setup")
    path = make_task(setup, fstart=1001, fend=1006, fps=25.0)
    task = resolve_task(setup, None, path)
    return setup, task["id"], path, setup.get("Project", task["project_id"])


def open_sessions(setup: Any, project: Any, *names: str) -> None:
    for name in names:
        review.find_or_create_review_session(setup, project, name)


def session_names(setup: Any, project: Any) -> List[str]:
    rows = setup.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    return sorted(r["name"] for r in rows.all())


def env_of(server: Any, tmp_path: Path, day: str, **extra: str) -> Dict[str, str]:
    env = dict(os.environ, **server.env, PYBLISHPLUGINPATH="", **{ENV_TODAY: day})
    env.pop("FT_DCC_SETTINGS", None)
    env.pop("FTRACK_CONTEXTID", None)
    env.update(FT_DCC_QUEUE_DIR=str(tmp_path / "queue"), **extra)
    return env


def publish_cli(env: Dict[str, str], frames: Path, task: str, *args: str) -> Any:
    return run_ft_dcc(
        ["publish", str(frames), "--host", "files", "--task", task, "--fps", "25", "--json",
         *args],
        env=env, timeout=300,
    )  # fmt: skip


def report_of(done: subprocess.CompletedProcess) -> Dict[str, Any]:
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report: Dict[str, Any] = json.loads(done.stdout)
    return report


def test_the_first_publish_of_day_two_goes_into_day_twos_session(
    embedded_server: Any, tmp_path: Path, project_task: Tuple[Any, str, str, Any]
) -> None:
    setup, task_id, _, project = project_task
    frames = make_sequence(tmp_path / "frames", frames=6, start=1001)
    first = publish_cli(env_of(embedded_server, tmp_path, DAY_ONE), frames, task_id)
    assert report_of(first)["review_session_name"] == f"Dailies {DAY_ONE}"

    second = publish_cli(env_of(embedded_server, tmp_path, DAY_TWO), frames, task_id)
    assert report_of(second)["review_session_name"] == f"Dailies {DAY_TWO}"
    assert session_names(setup, project) == [f"Dailies {DAY_ONE}", f"Dailies {DAY_TWO}"]


def test_a_typed_misspelling_is_still_refused_on_day_two(
    embedded_server: Any, tmp_path: Path, project_task: Tuple[Any, str, str, Any]
) -> None:
    setup, task_id, _, project = project_task
    open_sessions(setup, project, f"Dailies {DAY_ONE}", f"Dailies {DAY_TWO}")
    frames = make_sequence(tmp_path / "frames", frames=6, start=1001)
    env = env_of(embedded_server, tmp_path, DAY_TWO)
    for typo in ("Dailes 2026-11-26", "Dailies 2026-11-2"):
        refused = publish_cli(env, frames, task_id, "--review-session", typo)
        said = refused.stdout + refused.stderr
        assert refused.returncode == 1, said
        assert f"no review session is called {typo!r}, but 'Dailies 2026-11-2" in said
    assert session_names(setup, project) == [f"Dailies {DAY_ONE}", f"Dailies {DAY_TWO}"]


def test_the_31st_day_with_thirty_days_of_sessions_open(
    embedded_server: Any, tmp_path: Path, project_task: Tuple[Any, str, str, Any]
) -> None:
    setup, task_id, _, project = project_task
    month = [f"Dailies 2026-12-{day:02d}" for day in range(1, 31)]
    open_sessions(setup, project, *month)
    frames = make_sequence(tmp_path / "frames", frames=6, start=1001)
    done = publish_cli(env_of(embedded_server, tmp_path, "2026-12-31"), frames, task_id)
    assert report_of(done)["review_session_name"] == "Dailies 2026-12-31"
    assert session_names(setup, project) == sorted([*month, "Dailies 2026-12-31"])


def test_every_field_of_the_template_may_differ(
    embedded_server: Any, tmp_path: Path, project_task: Tuple[Any, str, str, Any]
) -> None:
    setup, task_id, _, project = project_task
    settings = tmp_path / "studio.json"
    template = "{project} client wk{week} {user}"
    settings.write_text(json.dumps({"settings": {"naming.review_session": template}}))
    user = embedded_server.api_user
    older = [f"{project['name']} client wk47 {user}", f"{project['name']} client wk48 {user}x"]
    open_sessions(setup, project, *older)
    frames = make_sequence(tmp_path / "frames", frames=6, start=1001)
    env = env_of(embedded_server, tmp_path, DAY_TWO, FT_DCC_SETTINGS=str(settings))
    done = publish_cli(env, frames, task_id)
    assert report_of(done)["review_session_name"] == f"{project['name']} client wk48 {user}"


def test_a_publish_queued_on_day_two_flushes_beside_day_ones_open_session(
    fresh_server: Any, tmp_path: Path
) -> None:
    setup = open_session(fresh_server, tmp_path / "setup")
    task_path = make_task(setup, fstart=1001, fend=1006, fps=25.0)
    project = setup.get("Project", resolve_task(setup, None, task_path)["project_id"])
    open_sessions(setup, project, f"Dailies {DAY_ONE}", "Dailies 2026-11-16")
    frames = make_sequence(tmp_path / "frames", frames=6, start=1001)
    fresh_server.stop()
    env = env_of(fresh_server, tmp_path, DAY_TWO)
    queued = publish_cli(env, frames, task_path)
    assert queued.returncode == 75 and json.loads(queued.stdout)["queued"], queued.stderr[-3000:]

    fresh_server.start()  # same port, same data
    flushed = run_ft_dcc(["queue", "flush", "--json"], env=env, timeout=300)
    assert flushed.returncode == 0, flushed.stdout[-3000:] + flushed.stderr[-3000:]
    assert json.loads(flushed.stdout)["flushed"] == 1
    assert session_names(setup, project) == [
        "Dailies 2026-11-16",
        f"Dailies {DAY_ONE}",
        f"Dailies {DAY_TWO}",
    ]
    objects = setup.query(
        "select id from ReviewSessionObject "
        f'where review_session.name is "Dailies {DAY_TWO}" '
        f'and review_session.project_id is "{project["id"]}"'
    ).all()
    assert len(objects) == 1
