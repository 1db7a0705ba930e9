"""Studio settings against the real embedded server: a studio file plus a project profile change
a publish, ``settings show`` names each value's origin, bad input is refused before anything is
stored, and only an administrator stores the studio's settings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict

import pytest
from support import count_entities, make_sequence, make_task, open_session
from support.cli import ft_dcc
from support.trust import add_api_user

from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.settings.templates import current_date

STUDIO = {
    "settings": {
        "capture": {"scale": 0.5},
        "naming.review_session": "Studio dailies {date}",
        "naming.asset": "{shot}_{task}",
    }
}
PROJECT = {
    "settings": {"naming.review_session": "{project} client wk{week}"},
    "profiles": [
        {"name": "all comp", "task_types": ["Compositing"], "settings": {"naming.asset": "x"}},
        {
            "name": "comp in files",
            "hosts": ["files"],
            "task_types": ["compositing"],
            "settings": {"checks.frame_range": "warn", "naming.asset": "{shot}_{task}_review"},
        },
        {"name": "maya anim", "hosts": ["maya"], "settings": {"capture.scale": 0.25}},
    ],
}


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def env(fresh_server: Any, tmp_path: Path) -> Dict[str, str]:
    studio = write(tmp_path / "studio.json", STUDIO)
    return dict(
        fresh_server.env,
        FT_DCC_SETTINGS=str(studio),
        FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        PYBLISHPLUGINPATH="",
        FTRACK_CONTEXTID="",
    )


def test_studio_file_and_project_profile_change_a_publish(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path, artifacts_dir: Path
) -> None:
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1012, fps=25)  # Compositing, shot sh010
    project = task.split("/")[0]
    pushed = ft_dcc(env, "settings", "push", str(write(tmp_path / "p.json", PROJECT)),
                    "--project", project)  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    # frames 1-12, the shot says 1001-1012: blocked by default, a warning for this profile
    frames = make_sequence(tmp_path / "frames", frames=12, start=1, size="320x240")
    done = ft_dcc(env, "publish", str(frames), "--task", task, "--fps", "25", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    week = f"{current_date().isocalendar()[1]:02d}"
    assert report["review_session_name"] == f"{project} client wk{week}"
    assert (report["capture"]["width"], report["capture"]["height"]) == (160, 120)
    assert any("differs from shot sh010" in w and "warn" in w for w in report["warnings"])
    with open_session(fresh_server, tmp_path) as check:
        version = check.query(
            f'select asset.name from AssetVersion where id is "{report["asset_version_id"]}"'
        ).one()
        assert version["asset"]["name"] == "sh010_comp_review"

    shown = ft_dcc(env, "settings", "show", "--project", project, "--host", "files",
                   "--task-type", "Compositing", "--json")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    values = json.loads(shown.stdout)["values"]
    assert values["capture.scale"] == {
        "value": 0.5, "level": "studio", "origin": f"file {env['FT_DCC_SETTINGS']}",
    }  # fmt: skip
    assert values["naming.review_session"]["level"] == "project"
    assert project in values["naming.review_session"]["origin"]
    assert values["checks.frame_range"]["level"] == "profile"
    assert "'comp in files'" in values["checks.frame_range"]["origin"]
    assert values["capture.resolution"] == {"value": None, "level": "default", "origin": "default"}
    text = ft_dcc(env, "settings", "show", "--project", project, "--host", "files",
                  "--task-type", "Compositing").stdout  # fmt: skip
    (artifacts_dir / "settings-show.txt").write_text(text, encoding="utf-8")  # what a TD sees
    (line,) = [x for x in text.splitlines() if "capture.scale" in x]
    assert line.startswith(f"studio: file {env['FT_DCC_SETTINGS']}") and line.endswith("= 0.5")
    assert "# applied: profile 'comp in files'" in text

    # the artist's flags win over every layer
    done = ft_dcc(env, "publish", str(frames), "--task", task, "--fps", "25", "--json",
                  "--review-session", "mine", "--asset", "own", "--set", "capture.scale=1",
                  "--set", "checks.frame_range=block")  # fmt: skip
    report = json.loads(done.stdout)
    assert done.returncode == 1 and not report["ok"]
    assert report["review_session_name"] == "mine" and report["capture"]["width"] == 320
    assert any("differs from shot sh010" in e for e in report["errors"]), report["errors"]


def stored(session: Any) -> Dict[str, int]:
    """How many Setting, Metadata and AssetVersion rows the server holds (fresh queries)."""
    expressions = {
        "Setting": "select name, group from Setting",
        "Metadata": "select parent_id, key from Metadata",
        "AssetVersion": "select id from AssetVersion",
    }
    return {name: len(session.query(text).all()) for name, text in expressions.items()}


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ft-dcc: error: "), done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"settings": {"capture.scale": 0.5,}}', "is not valid JSON"),
        ({"settings": {"capture.scael": 0.5}}, "did you mean capture.scale?"),
        ({"settings": {"capture.scale": "half"}}, "expected number, got str 'half'"),
        ({"settings": {"capture.resolution": "big"}}, 'expected a size like "1920x1080"'),
        ({"settings": {"naming.asset": "{shots}_{camera}"}}, "unknown field {shots}"),
        ({"settings": {"checks.frame_range": "maybe"}}, "expected one of block, warn, off"),
        ({"profiles": [{"name": "a", "host": ["maya"]}]}, "did you mean 'hosts'?"),
        ({"setings": {}}, "did you mean 'settings'?"),
    ],
)
def test_bad_input_fails_before_the_server_with_one_line(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path, content: Any, says: str
) -> None:
    bad = write(tmp_path / "bad.json", content)
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session)
        before = stored(session)
    mark = fresh_server.log_mark()
    assert says in one_line_error(ft_dcc(env, "settings", "check", str(bad)))
    assert says in one_line_error(ft_dcc(env, "settings", "push", str(bad), "--studio"))
    frames = make_sequence(tmp_path / "frames", frames=2, start=1001)
    published = ft_dcc(dict(env, FT_DCC_SETTINGS=str(bad)), "publish", str(frames), "--task", task)
    assert says in one_line_error(published)
    assert fresh_server.api_requests_since(mark) == []  # nothing reached the server
    with open_session(fresh_server, tmp_path) as session:
        assert stored(session) == before


def test_a_path_matching_no_template_fails_naming_the_templates(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path
) -> None:
    studio = {"settings": {"paths.task_templates": ["jobs/{project}/{sequence}/{shot}/{task}/**"]}}
    env = dict(env, FT_DCC_SETTINGS=str(write(tmp_path / "s.json", studio)))
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session)
        before = count_entities(session)
    elsewhere = make_sequence(tmp_path / "elsewhere", frames=2, start=1001)
    line = one_line_error(ft_dcc(env, "publish", str(elsewhere)))
    assert "matches no path template" in line and "jobs/{project}" in line and "--task" in line
    with open_session(fresh_server, tmp_path) as session:
        assert count_entities(session) == before
    # a path a template describes publishes to the task it names
    project = task.split("/")[0]
    inside = make_sequence(tmp_path / "jobs" / project / "sq010" / "sh010" / "comp" / "out",
                           frames=12, start=1001)  # fmt: skip
    done = ft_dcc(env, "publish", str(inside), "--fps", "25", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["task"] == task


def test_only_an_administrator_stores_studio_settings(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path
) -> None:
    _bob_id, bob_key = add_api_user(fresh_server, "bob")
    good = write(tmp_path / "good.json", {"settings": {"capture.scale": 0.75}})
    as_bob = dict(env, FTRACK_API_USER="bob", FTRACK_API_KEY=bob_key)
    line = one_line_error(ft_dcc(as_bob, "settings", "push", str(good), "--studio"))
    assert "administrator" in line
    with open_session(fresh_server, tmp_path) as session:
        assert stored(session)["Setting"] == 0
    shown = json.loads(ft_dcc(as_bob, "settings", "show", "--json").stdout)["values"]
    assert shown["capture.scale"]["value"] == 0.5  # still the file's
    # the administrator may, and everyone then reads it from the server
    done = ft_dcc(env, "settings", "push", str(good), "--studio")
    assert done.returncode == 0, done.stderr
    server = env["FTRACK_SERVER"].rstrip("/")
    assert f"written to the ftrack server at {server}" in done.stdout  # says where it wrote
    shown = json.loads(ft_dcc(as_bob, "settings", "show", "--json").stdout)["values"]
    assert shown["capture.scale"] == {
        "value": 0.75, "level": "studio", "origin": "ftrack Setting ft_dcc/settings",
    }  # fmt: skip


def test_settings_cost_one_request_the_session_starts_with(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ft_dcc.publish.request.settings_options import resolve_for

    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session)
    project = task.split("/")[0]
    assert ft_dcc(env, "settings", "push", str(write(tmp_path / "p.json", PROJECT)),
                  "--project", project).returncode == 0  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    mark = fresh_server.log_mark()
    resolved, context, _found = resolve_for(task, "x.png", "files")
    (actions,) = [r.get("actions") for r in fresh_server.api_requests_since(mark)]
    # the session's start rides with the read (the schemas too, when not cached)
    assert actions[0] == "query_server_information" and actions[-2:] == ["query", "query"]
    assert (context.project, context.task_type) == (project, "Compositing")
    assert context.fields == {"project": project, "sequence": "sq010", "shot": "sh010",
                              "task": "comp"}  # fmt: skip
    assert resolved.level("checks.frame_range") == "profile"


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_an_offline_publish_uses_the_file_and_queues(env: Dict[str, str], tmp_path: Path) -> None:
    from support import free_port

    studio = {"settings": {"naming.review_session": "Offline {date}", "capture.scale": 0.5}}
    offline = dict(env, FTRACK_SERVER=f"http://127.0.0.1:{free_port()}",
                   FT_DCC_SETTINGS=str(write(tmp_path / "s.json", studio)))  # fmt: skip
    frames = make_sequence(tmp_path / "frames", frames=4, start=1001)
    done = ft_dcc(offline, "publish", str(frames), "--task", "demo/sq010/sh010/comp",
                  "--fps", "25", "--json")  # fmt: skip
    assert done.returncode == EXIT_QUEUED, done.stdout + done.stderr  # only queued: 75
    report = json.loads(done.stdout)
    assert report["queued"] and report["review_session_name"] == f"Offline {current_date()}"
    assert report["capture"]["width"] == 160
    shown = ft_dcc(offline, "settings", "show")
    assert "# note: the ftrack server's settings were not read" in shown.stdout, shown.stdout
