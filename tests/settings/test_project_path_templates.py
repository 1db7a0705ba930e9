"""``paths.task_templates`` set in a project's settings (pushed, or the file's ``projects.<name>``)
were listed as active by ``settings show --project`` but a publish with no ``--task`` read the
templates of the studio layer only (the project was not known yet), and failed with "no value for
{project}" or "no ftrack task was given". The publish now tries each project's templates: a
match naming that project is the task."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from settings_cli import ft_dcc, write
from support import make_sequence, make_task, open_session

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.templates import current_date

TEMPLATES = ["jobs/{project}/{sequence}/{shot}/{task}/**"]


def test_a_project_layer_path_template_finds_the_task_of_a_publish(
    fresh_server: Any, tmp_path: Path
) -> None:
    studio = {"settings": {"naming.review_session": "{project} dailies wk{week}"}}
    env = dict(
        fresh_server.env,
        FT_DCC_SETTINGS=str(write(tmp_path / "studio.json", studio)),
        FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        PYBLISHPLUGINPATH="",
        FTRACK_CONTEXTID="",
    )
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fps=25)
        other = make_task(session)  # a second project, without templates
    project = task.split("/")[0]
    document = write(tmp_path / "p.json", {"settings": {"paths.task_templates": TEMPLATES}})
    pushed = ft_dcc(env, "settings", "push", str(document), "--project", project)
    assert pushed.returncode == 0, pushed.stderr
    shown = json.loads(ft_dcc(env, "settings", "show", "--project", project, "--json").stdout)
    assert shown["values"]["paths.task_templates"]["level"] == "project"

    frames = make_sequence(tmp_path / "jobs" / project / "sq010" / "sh010" / "comp" / "out",
                           frames=12, start=1001)  # fmt: skip
    done = ft_dcc(env, "publish", str(frames), "--fps", "25", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    week = f"{current_date().isocalendar()[1]:02d}"
    assert report["task"] == task
    assert report["review_session_name"] == f"{project} dailies wk{week}"

    # the other project has no templates: a path naming it matches none of them, and says so
    elsewhere = make_sequence(tmp_path / "jobs" / other.split("/")[0] / "sq010" / "sh010"
                              / "comp" / "out", frames=2, start=1001)  # fmt: skip
    failed = ft_dcc(env, "publish", str(elsewhere), "--fps", "25")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "matches no path template" in failed.stderr and project in failed.stderr, failed.stderr


def test_a_project_with_its_own_templates_is_found_by_those_only(tmp_path: Path) -> None:
    from ft_dcc.settings.templates import task_from_path

    studio = ["jobs/{project}/{sequence}/{shot}/{task}/**"]
    own = {"tiger": ["shows/{project}/{shot}/{task}/**"]}
    lion = tmp_path / "jobs" / "lion" / "sq010" / "sh010" / "anim" / "a.blend"
    tiger = tmp_path / "shows" / "tiger" / "sh020" / "comp" / "a.blend"
    assert task_from_path(studio, lion, {"lion", "tiger"}, own) == "lion/sq010/sh010/anim"
    assert task_from_path(studio, tiger, {"lion", "tiger"}, own) == "tiger/sh020/comp"
    assert task_from_path(studio, tiger, None, own) == "tiger/sh020/comp"  # offline
    # the studio's templates do not apply to a project that has its own
    stray = tmp_path / "jobs" / "tiger" / "sq010" / "sh010" / "anim" / "a.blend"
    with pytest.raises(SettingsError, match=r"project tiger: shows/\{project\}"):
        task_from_path(studio, stray, {"lion", "tiger"}, own)
