"""The studio's client-review defaults (``client_review.*`` in the settings) applied by a publish
that creates a review session: ``ft-dcc publish`` in-process against the shared embedded server,
the session read back over HTTP by the genuine ``ftrack_api`` client. A publish into a session
that exists already changes none of its rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict

import pytest
from support import genuine_sessions, make_movie, make_task, open_session

from ft_dcc.cli import main


def publish(capsys: pytest.CaptureFixture[str], *args: str) -> Dict[str, Any]:
    capsys.readouterr()
    code = main(["publish", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    report: Dict[str, Any] = json.loads(out)
    return report


def read_back(server: Any, folder: Path, review_session_id: str) -> Dict[str, Any]:
    with genuine_sessions(server, folder / "genuine") as make:
        session = make()
        row = session.query(
            "select start_date, end_date, passphrase_enabled from ReviewSession "
            f'where id is "{review_session_id}"'
        ).one()
        settings = session.query(
            "select name, value from EntitySetting "
            f'where parent_id is "{review_session_id}" and group is "review"'
        ).all()
        return {
            "days": (row["end_date"].datetime - row["start_date"].datetime) / dt.timedelta(days=1),
            "settings": {s["name"]: s["value"] for s in settings},
        }


def test_a_publish_creates_its_session_with_the_studio_defaults(
    capsys: pytest.CaptureFixture[str], ftrack_env: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    studio = tmp_path / "studio.json"
    defaults = {"client_review.downloads": "proxy", "client_review.watermark": True,
                "client_review.open_days": 7}  # fmt: skip
    studio.write_text(json.dumps({"settings": defaults}), encoding="utf-8")
    for name, value in {"FT_DCC_SETTINGS": str(studio), "FT_DCC_QUEUE_DIR": str(tmp_path / "q"),
                        "PYBLISHPLUGINPATH": "", "FTRACK_CONTEXTID": ""}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with open_session(ftrack_env, tmp_path) as session:
        task = make_task(session, in_shot=False)  # no shot range to check the movie against
    movie = make_movie(tmp_path / "client.mov", frames=6)
    report = publish(capsys, str(movie), "--task", task, "--review-session", "Client wk48")
    got = read_back(ftrack_env, tmp_path, report["review_session_id"])
    assert got == {"days": 7.0, "settings": {"download_policy": "proxy", "watermark": "true"}}

    # the defaults apply to a session a publish creates, not to one that exists
    defaults.update({"client_review.downloads": "original", "client_review.open_days": 30})
    studio.write_text(json.dumps({"settings": defaults}), encoding="utf-8")
    again = publish(capsys, str(movie), "--task", task, "--review-session", "Client wk48")
    assert again["review_session_id"] == report["review_session_id"]
    assert read_back(ftrack_env, tmp_path, report["review_session_id"]) == got


def test_review_create_takes_the_defaults_its_options_leave(
    capsys: pytest.CaptureFixture[str], ftrack_env: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    studio = tmp_path / "studio.json"
    defaults = {"client_review.downloads": "original", "client_review.watermark": True,
                "client_review.open_days": 3}  # fmt: skip
    studio.write_text(json.dumps({"settings": defaults}), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(studio))
    with open_session(ftrack_env, tmp_path) as session:
        project = make_task(session, in_shot=False).split("/")[0]
        for name, *options in (
            ("Studio rules",),
            ("Own rules", "--downloads", "none", "--no-watermark", "--closes", "+10d"),
        ):
            capsys.readouterr()
            code = main(["review", "create", name, "--project", project, *options])
            assert code == 0, capsys.readouterr()
        ids = {
            row["name"]: row["id"]
            for row in session.query(
                f'select id, name from ReviewSession where project.name is "{project}"'
            ).all()
        }
    assert read_back(ftrack_env, tmp_path, ids["Studio rules"]) == {
        "days": 3.0, "settings": {"download_policy": "original", "watermark": "true"},
    }  # fmt: skip
    own = read_back(ftrack_env, tmp_path, ids["Own rules"])
    assert own["settings"] == {"download_policy": "none", "watermark": "false"}
    assert round(own["days"]) == 10


def test_review_create_makes_a_session_again_under_a_deleted_sessions_name(
    capsys: pytest.CaptureFixture[str], ftrack_env: Any, tmp_path: Path
) -> None:
    with open_session(ftrack_env, tmp_path) as session:
        project = make_task(session, in_shot=False).split("/")[0]
        assert main(["review", "create", "Client wk49", "--project", project]) == 0
        query = f'select id from ReviewSession where project.name is "{project}"'
        (first,) = session.query(query).all()
        first_id = first["id"]
        session.delete(first)
        session.commit()
        capsys.readouterr()
        code = main(["review", "create", "Client wk49", "--project", project])
        assert code == 0, capsys.readouterr()
        again = session.query(query + ' and name is "Client wk49"').all()
    assert len(again) == 1 and again[0]["id"] != first_id  # a new session, not the buried id
