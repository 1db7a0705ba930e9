"""``ft-dcc context create PROJECT/SEQUENCE/SHOT/TASK``: makes what a publish needs, through the
ftrack API (so it works against real ftrack too), idempotent, with did-you-mean errors; and a
wrong project name in a publish's ``--task`` gets a did-you-mean."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, List

from support import count_entities, make_movie, open_session
from support.cli import run_ft_dcc

from ft_dcc.publish.context.tasks import SHOT_PROJECTION, resolve_task
from ft_dcc.publish.rules.checks import shot_attributes

CONTEXT_TYPES = ["Project", "Sequence", "Shot", "Task"]


def ft_dcc(server: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        **server.env,
        FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schema-cache"),
        FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        PYBLISHPLUGINPATH="",
    )
    env.pop("FTRACK_CONTEXTID", None)
    return run_ft_dcc([*args], env=env, timeout=300, check=False)


def writes_since(server: Any, mark: int) -> List[str]:
    """The create/update/delete operations the server received after ``mark``."""
    return [
        action
        for request in server.api_requests_since(mark)
        for action in request.get("actions") or []
        if action in ("create", "update", "delete")
    ]


def counts(server: Any, tmp_path: Path) -> Dict[str, int]:
    with open_session(server, tmp_path) as session:
        found = count_entities(session, CONTEXT_TYPES)
        values = session.query("select entity_id, key, value from ContextCustomAttributeValue")
        found["values"] = len(values.all())
        return found


def test_creates_project_sequence_shot_task_with_range_and_rate(fresh_server, tmp_path):
    path = "studio_x/sq020/sh030/lighting"
    done = ft_dcc(
        fresh_server, tmp_path, "context", "create", path,
        "--fps", "24000/1001", "--frames", "1001-1048", "--task-type", "Lighting",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for created in ("project 'studio_x'", "sequence 'sq020'", "shot 'sh030'", "task 'lighting'"):
        assert f"created {created}" in out, out
    assert fresh_server.url in out  # says which server it wrote to

    with open_session(fresh_server, tmp_path) as session:
        task = resolve_task(session, None, path)  # a publish finds it
        kind = session.query(f'select type.name from Task where id is "{task["id"]}"').one()
        assert kind["type"]["name"] == "Lighting"
        shot = session.query(f'{SHOT_PROJECTION} where id is "{task["parent_id"]}"').one()
        assert shot.entity_type == "Shot"
        values = shot_attributes(session, shot)  # what the publish's frame checks read
        assert values["fstart"].explicit and float(values["fstart"].value) == 1001
        assert values["fend"].explicit and float(values["fend"].value) == 1048
        assert values["fps"].explicit and abs(float(values["fps"].value) - 24000 / 1001) < 1e-6
        sequence = session.query(f'Sequence where id is "{shot["link"][-2]["id"]}"').one()
        assert sequence["name"] == "sq020"


def test_a_second_run_changes_nothing_and_says_so(fresh_server, tmp_path):
    path = "studio_y/sq010/sh010/animation"
    args = ("context", "create", path, "--fps", "25", "--frames", "1001-1024")
    first = ft_dcc(fresh_server, tmp_path, *args)
    assert first.returncode == 0, first.stdout + first.stderr
    before = counts(fresh_server, tmp_path)
    mark = fresh_server.log_mark()

    again = ft_dcc(fresh_server, tmp_path, *args)

    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing changed" in again.stdout.lower(), again.stdout
    assert "created" not in again.stdout
    assert writes_since(fresh_server, mark) == []
    assert counts(fresh_server, tmp_path) == before
    with open_session(fresh_server, tmp_path) as session:  # no --task-type: named after the task
        task = session.query(
            'select type.name from Task where name is "animation" and project.name is "studio_y"'
        ).one()
        assert task["type"]["name"] == "Animation"


def test_a_changed_rate_is_set_and_said(fresh_server, tmp_path):
    path = "studio_z/sq010/sh010/comp"
    first = ft_dcc(fresh_server, tmp_path, "context", "create", path, "--fps", "24")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "--task-type" in first.stdout or "Generic" in first.stdout  # the type it chose, said

    again = ft_dcc(fresh_server, tmp_path, "context", "create", path, "--fps", "25")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "fps 24 -> 25" in again.stdout, again.stdout
    with open_session(fresh_server, tmp_path) as session:
        shot = session.query(
            f'{SHOT_PROJECTION} where name is "sh010" and project.name is "studio_z"'
        ).one()
        assert float(shot_attributes(session, shot)["fps"].value) == 25


def test_unknown_task_type_gets_did_you_mean_and_creates_nothing(fresh_server, tmp_path):
    before = counts(fresh_server, tmp_path)
    done = ft_dcc(
        fresh_server, tmp_path, "context", "create", "studio_w/sq010/sh010/lighting",
        "--task-type", "Lightning",
    )  # fmt: skip
    assert done.returncode == 1
    assert "no task type 'Lightning'" in done.stderr and "did you mean 'Lighting'?" in done.stderr
    assert counts(fresh_server, tmp_path) == before


def test_bad_path_and_frames_are_refused_with_what_to_write(fresh_server, tmp_path):
    before = counts(fresh_server, tmp_path)
    short = ft_dcc(fresh_server, tmp_path, "context", "create", "studio_v/sh010/comp")
    assert short.returncode == 1
    assert "PROJECT/SEQUENCE/SHOT/TASK" in short.stderr
    backwards = ft_dcc(
        fresh_server, tmp_path, "context", "create", "studio_v/sq/sh/comp", "--frames", "1048-1001"
    )
    assert backwards.returncode != 0 and "1048-1001" in backwards.stderr
    rate = ft_dcc(fresh_server, tmp_path, "context", "create", "studio_v/sq/sh/comp", "--fps", "0")
    assert rate.returncode != 0 and "--fps" in rate.stderr
    assert counts(fresh_server, tmp_path) == before


def test_a_wrong_project_in_a_publish_gets_did_you_mean(embedded_server, tmp_path):
    project = f"ft_dcc_{uuid.uuid4().hex[:8]}"
    made = ft_dcc(embedded_server, tmp_path, "context", "create", f"{project}/sq010/sh010/anim")
    assert made.returncode == 0, made.stdout + made.stderr
    typed = project[len("ft_dcc_") :]  # what a README reader types: "demo" for "ft_dcc_demo"
    movie = make_movie(tmp_path / "anim.mov", frames=12)

    done = ft_dcc(
        embedded_server, tmp_path, "publish", str(movie), "--task", f"{typed}/sq010/sh010/anim"
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"there is no ftrack project called {typed!r}" in done.stdout + done.stderr
    assert f"did you mean {project!r}?" in done.stdout + done.stderr


def test_a_second_task_never_narrows_the_shots_range_quietly(fresh_server, tmp_path):
    """A second task's ``--frames`` that differs from the shot's range is refused before any
    write, saying what to pass instead; ``--change-frames`` changes it when asked."""
    first = ft_dcc(
        fresh_server, tmp_path, "context", "create", "studio_r/sq010/sh010/anim",
        "--frames", "1001-1048",
    )  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    before = counts(fresh_server, tmp_path)

    second = ft_dcc(
        fresh_server, tmp_path, "context", "create", "studio_r/sq010/sh010/lighting",
        "--frames", "1001-1024",
    )  # fmt: skip

    assert second.returncode == 1, second.stdout + second.stderr
    assert "1001-1048" in second.stderr and "1001-1024" in second.stderr, second.stderr
    assert "--change-frames" in second.stderr and "--frames 1001-1048" in second.stderr
    assert "->" not in second.stdout
    assert counts(fresh_server, tmp_path) == before  # no task made, no value changed

    def shot_range() -> tuple:
        with open_session(fresh_server, tmp_path) as session:
            shot = session.query(
                f'{SHOT_PROJECTION} where name is "sh010" and project.name is "studio_r"'
            ).one()
            values = shot_attributes(session, shot)
            return float(values["fstart"].value), float(values["fend"].value)

    assert shot_range() == (1001, 1048)
    kept = ft_dcc(fresh_server, tmp_path, "context", "create", "studio_r/sq010/sh010/lighting")
    assert kept.returncode == 0 and "created task 'lighting'" in kept.stdout, kept.stderr
    assert shot_range() == (1001, 1048)
    asked = ft_dcc(
        fresh_server, tmp_path, "context", "create", "studio_r/sq010/sh010/lighting",
        "--frames", "1001-1024", "--change-frames",
    )  # fmt: skip
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert "fend 1048 -> 1024" in asked.stdout
    assert shot_range() == (1001, 1024)
