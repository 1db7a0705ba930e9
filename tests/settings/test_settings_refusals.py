"""``settings check``/``show`` never pass over a mistake quietly: a profile naming a host ft_dcc
does not publish from was valid, ``--task-type Animaton`` applied no profile without a word, and
``settings show`` with credentials the server refuses printed the defaults and exited 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from settings_cli import ft_dcc, write
from support import make_task, open_session

PROFILES = {
    "profiles": [
        {"name": "anim", "hosts": ["blender", "maya"], "task_types": ["Animation"],
         "settings": {"checks.frame_range": "warn"}},
    ]
}  # fmt: skip


@pytest.fixture
def env(fresh_server: Any, tmp_path: Path) -> Dict[str, str]:
    return dict(fresh_server.env, FT_DCC_SETTINGS="", FTRACK_CONTEXTID="")


def settings_rows(server: Any, tmp_path: Path) -> Dict[str, int]:
    with open_session(server, tmp_path) as session:
        return {
            "Setting": len(session.query("select name from Setting").all()),
            "Metadata": len(session.query("select parent_id, key from Metadata").all()),
        }


def test_a_profile_naming_an_unknown_host_is_refused_naming_the_hosts(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.json", {"profiles": [
        {"name": "houdini fx", "hosts": ["houdini"], "settings": {"capture.scale": 0.5}},
        {"name": "typo", "hosts": ["blendr"], "settings": {}},
    ]})  # fmt: skip
    before = settings_rows(fresh_server, tmp_path)
    for command in (["check", str(bad)], ["push", str(bad), "--studio"]):
        done = ft_dcc(env, "settings", *command)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "unknown host 'houdini'" in done.stderr, done.stderr
        assert "files, blender, maya, nuke" in done.stderr, done.stderr
    near = write(tmp_path / "near.json", {"profiles": [{"name": "t", "hosts": ["blendr"]}]})
    done = ft_dcc(env, "settings", "check", str(near))
    assert done.returncode == 1 and "did you mean 'blender'?" in done.stderr, done.stderr
    assert settings_rows(fresh_server, tmp_path) == before


def test_a_mistyped_task_type_is_refused_with_the_nearest_and_a_miss_says_why(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path
) -> None:
    pushed = ft_dcc(env, "settings", "push", str(write(tmp_path / "s.json", PROFILES)), "--studio")
    assert pushed.returncode == 0, pushed.stderr
    typo = ft_dcc(env, "settings", "show", "--host", "blender", "--task-type", "Animaton")
    assert typo.returncode == 1, typo.stdout + typo.stderr
    assert "'Animaton' is no task type" in typo.stderr, typo.stderr
    assert "no profile by task type applies" in typo.stderr
    assert "did you mean 'Animation'?" in typo.stderr and fresh_server.url in typo.stderr
    assert typo.stdout == ""
    # a real task type no profile names: shown, with each profile's reason
    miss = ft_dcc(env, "settings", "show", "--host", "nuke", "--task-type", "Compositing")
    assert miss.returncode == 0, miss.stderr
    assert "# no profile applies:" in miss.stdout, miss.stdout
    (why,) = [line for line in miss.stdout.splitlines() if "'anim'" in line]
    assert "wants hosts blender, maya ('nuke')" in why and "task types Animation" in why, why
    shown = json.loads(ft_dcc(env, "settings", "show", "--host", "nuke", "--json").stdout)
    assert shown["profiles"] == [] and "'anim'" in shown["unmatched"][0]
    applied = ft_dcc(env, "settings", "show", "--host", "blender", "--task-type", "animation")
    assert applied.returncode == 0 and "# applied: profile 'anim'" in applied.stdout


def test_settings_show_with_refused_credentials_fails_naming_the_server(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path
) -> None:
    with open_session(fresh_server, tmp_path) as session:
        project = make_task(session).split("/")[0]
    wrong = dict(env, FTRACK_API_KEY="not-the-key")
    for args in ([], ["--project", project], ["--json"]):
        done = ft_dcc(wrong, "settings", "show", *args)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout == ""  # no defaults that look like the studio's
        assert f"the ftrack server at {fresh_server.url} refused the credentials" in done.stderr
        assert "FTRACK_API_KEY" in done.stderr
    # a server that cannot be reached is still a note: the file's settings apply offline
    gone = dict(env, FTRACK_SERVER="http://127.0.0.1:9")
    offline = ft_dcc(gone, "settings", "show")
    assert offline.returncode == 0 and "# note: the ftrack server's settings were not read" in (
        offline.stdout
    )


def test_a_panel_says_why_no_profile_applies() -> None:
    from ft_dcc.host.settings_view import panel_lines
    from ft_dcc.settings.document import parse
    from ft_dcc.settings.resolve import Filters, Source, resolve

    source = Source("studio", "ftrack Setting ft_dcc/settings", parse(PROFILES, "studio"))
    lines = panel_lines(resolve([source], Filters(host="blender", task_type="Compositing")))
    assert lines[:3] == [
        "No profile applies", "values: defaults",
        "'anim' wants task types Animation ('Compositing')",
    ]  # fmt: skip
    applied = panel_lines(resolve([source], Filters(host="blender", task_type="Animation")))
    assert applied[0] == "Profile 'anim'"


def test_a_misspelt_project_gets_the_nearest_name(
    fresh_server: Any, env: Dict[str, str], tmp_path: Path
) -> None:
    with open_session(fresh_server, tmp_path) as session:
        project = make_task(session).split("/")[0]
    good = write(tmp_path / "good.json", {"settings": {"capture.scale": 0.5}})
    before = settings_rows(fresh_server, tmp_path)
    for command in (["show", "--project", project[:-1]],
                    ["push", str(good), "--project", project[:-1]]):  # fmt: skip
        done = ft_dcc(env, "settings", *command)
        assert done.returncode == 1, done.stdout + done.stderr
        assert f"there is no ftrack project called {project[:-1]!r}" in done.stderr
        assert f"did you mean {project!r}?" in done.stderr, done.stderr
    assert settings_rows(fresh_server, tmp_path) == before
