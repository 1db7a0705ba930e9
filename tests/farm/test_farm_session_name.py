"""A farm submission's review session name is checked as ``ft-dcc publish`` checks it: a name
one typo from an open session of the project is refused before any bundle is written (exit 1,
the publish's own message), unless ``--new-review-session``, which the bundle carries (the job
parameter ``NewReviewSession``) to every publish step. With the server out of reach at
submission, the publish steps check the name, and the job parameter confirms it there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from farm_helpers import farm_env, ft_dcc, openjd_run, session_versions, submit, template
from support import open_session
from support.net import free_port

from ft_dcc.review import sessions as review

OPEN = "Dailies 2026-11-25"  # yesterday's session, still open
TYPO = "Dailes 2026-11-25"  # one letter short of it: no name the settings' template makes
MISSPELT = f"no review session is called {TYPO!r}, but {OPEN!r} is open in this project"


def with_open_session(server: Any, tmp_path: Path, shots: Any) -> Dict[str, str]:
    """The TD's environment, with yesterday's session open in the shots' project."""
    with open_session(server, tmp_path / "setup") as session:
        project = session.query(f'Project where name is "{shots.project}"').one()
        review.find_or_create_review_session(session, project, OPEN)
    return farm_env(server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))


def ours(versions: List[Dict[str, str]], shots: Any) -> List[Dict[str, str]]:
    """The versions of this test's project (the server is shared with other tests)."""
    return [v for v in versions if v["task"].startswith(f"{shots.project}/")]


def test_submit_refuses_a_misspelt_open_session_before_writing_the_bundle(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = with_open_session(embedded_server, tmp_path, shots)
    published = ft_dcc(env, "publish", str(shots.scenes[0]), "--review-session", TYPO)
    assert published.returncode == 1, published.stdout + published.stderr
    assert MISSPELT in published.stdout + published.stderr
    bundle = tmp_path / "bundle"
    farmed = submit(env, bundle, str(shots.scenes[0]), "--review-session", TYPO)
    assert farmed.returncode == 1, farmed.stdout + farmed.stderr
    assert MISSPELT in farmed.stderr  # the publish's own words, before anything is written
    assert "farm submit --new-review-session" in farmed.stderr  # the way out it names
    assert not bundle.exists()
    assert ours(session_versions(embedded_server, tmp_path, TYPO), shots) == []


@pytest.mark.slow  # openjd run: a capture and a publish step
def test_submit_with_new_review_session_carries_it_to_the_publish_step(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = with_open_session(embedded_server, tmp_path, shots)
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(shots.scenes[0]), "--review-session", TYPO,
                  "--new-review-session")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (publish,) = [s for s in template(bundle)["steps"] if s["name"].endswith(" publish")]
    args = publish["script"]["actions"]["onRun"]["args"]
    assert "--new-review-session={{Param.NewReviewSession}}" in args
    assert json.loads((bundle / "openjd_params.json").read_text())["NewReviewSession"] == "yes"
    run = openjd_run(bundle, env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert ours(session_versions(embedded_server, tmp_path, TYPO), shots) == [
        {"asset": "sh010_comp", "task": f"{shots.project}/sq010/sh010/comp"}
    ]
    assert ours(session_versions(embedded_server, tmp_path, OPEN), shots) == []


@pytest.mark.slow  # the submission waits out the client's retries; openjd run twice
def test_out_of_reach_at_submit_the_step_refuses_and_the_job_parameter_confirms(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = with_open_session(embedded_server, tmp_path, shots)
    away = dict(env, FTRACK_SERVER=f"http://127.0.0.1:{free_port()}")
    bundle = tmp_path / "bundle"
    task = f"{shots.project}/sq010/sh010/comp"
    done = submit(away, bundle, str(shots.scenes[0]), "--task", task, "--review-session", TYPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the review session name is checked by the publish steps" in done.stderr
    refused = openjd_run(bundle, env)
    assert refused.returncode != 0
    assert MISSPELT in refused.stdout and "--new-review-session" in refused.stdout
    assert ours(session_versions(embedded_server, tmp_path, TYPO), shots) == []
    confirmed = openjd_run(bundle, env, "--job-param", "NewReviewSession=yes")
    assert confirmed.returncode == 0, confirmed.stdout[-4000:] + confirmed.stderr[-2000:]
    assert ours(session_versions(embedded_server, tmp_path, TYPO), shots) == [
        {"asset": "sh010_comp", "task": task}
    ]


def test_submit_refuses_a_closed_session_as_ft_dcc_publish_does(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = with_open_session(embedded_server, tmp_path, shots)
    with open_session(embedded_server, tmp_path / "close") as session:
        project = session.query(f'Project where name is "{shots.project}"').one()
        review.close_review_session(session, review.find_review_session(session, project, OPEN))
    published = ft_dcc(env, "publish", str(shots.scenes[0]), "--review-session", OPEN)
    assert published.returncode == 1, published.stdout + published.stderr
    closed = f"review session {OPEN!r} was closed on"
    assert closed in published.stdout + published.stderr
    bundle = tmp_path / "bundle"
    farmed = submit(env, bundle, str(shots.scenes[0]), "--review-session", OPEN)
    assert farmed.returncode == 1, farmed.stdout + farmed.stderr
    assert closed in farmed.stderr
    assert not bundle.exists()
