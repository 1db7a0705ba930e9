"""``ft-dcc farm submit`` writes a bundle that ``openjd run`` runs for real: the versions land
in one review session on the embedded server, a failed part publishes nothing of its scene, and
a re-run publishes nothing twice."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

from farm_helpers import farm_env, openjd_run, step_names, submit, validate
from support import open_session

from ft_dcc.farm.publish_step import ALREADY


def session_versions(server: Any, tmp_path: Path, name: str) -> List[Dict[str, str]]:
    """The versions in review session ``name``: their asset and task path."""
    with open_session(server, tmp_path / "check") as session:
        objects = session.query(
            "select asset_version.asset.name, asset_version.task.link from ReviewSessionObject "
            f'where review_session.name is "{name}"'
        ).all()
        return sorted(
            (
                {"asset": o["asset_version"]["asset"]["name"],
                 "task": "/".join(i["name"] for i in o["asset_version"]["task"]["link"])}
                for o in objects
            ),
            key=lambda row: row["asset"],
        )  # fmt: skip


def test_openjd_run_publishes_three_scenes_into_one_session_and_a_rerun_nothing_twice(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    name = f"Farm dailies {uuid.uuid4().hex[:6]}"
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, *map(str, shots.scenes), "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    validate(bundle)  # openjd-model: a valid template whose parameter values make a job
    assert step_names(bundle) == [
        f"{index:02d}-{shot}_comp {what}"
        for index, shot in enumerate(("sh010", "sh020", "sh030"), start=1)
        for what in ("capture", "publish")
    ]
    run = openjd_run(bundle, env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    expected = [
        {"asset": f"{shot}_comp", "task": f"{shots.project}/sq010/{shot}/comp"}
        for shot in ("sh010", "sh020", "sh030")
    ]
    assert session_versions(embedded_server, tmp_path, name) == expected

    again = openjd_run(bundle, env)
    assert again.returncode == 0, again.stdout[-4000:]
    assert again.stdout.count(f"{ALREADY}:") == 3
    assert session_versions(embedded_server, tmp_path, name) == expected
