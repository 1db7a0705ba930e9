"""Maya's menu publish reads the studio settings through the same seam as ``ft-dcc publish``: the
review-session prompt offers the Maya profile's session name, a publish that leaves the name to
the settings lands in it with the profile's asset name (read back from the real embedded
server), the artist's own name wins, and the request budget holds."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest
from ft_dcc_hosts.maya import choices, menu
from support import make_task, open_session
from support.budget import assert_within_budget

from ft_dcc.settings.templates import current_date

STUDIO = {
    "profiles": [
        {"name": "maya comp", "hosts": ["maya"], "task_types": ["Compositing"],
         "settings": {"naming.review_session": "Layout {date}",
                      "naming.asset": "{shot}_{camera}"}},
        {"name": "nuke only", "hosts": ["nuke"],
         "settings": {"naming.review_session": "Nuke {date}"}},
    ]
}  # fmt: skip
TODAY = current_date().isoformat()  # the run's day (tests/conftest.py)


@pytest.fixture(autouse=True)
def studio_file(tmp_path, monkeypatch, maya_state):
    maya_state.panels["modelPanel4"]["camera"] = "shotCam"  # the artist looks through shotCam
    (tmp_path / "studio.json").write_text(json.dumps(STUDIO), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "studio.json"))
    choices.last_choices.clear()
    yield
    choices.last_choices.clear()


def _published(server: Any, tmp_path: Any, report: Any) -> Dict[str, str]:
    version = (
        open_session(server, tmp_path)
        .query(
            "select asset.name, review_session_objects.review_session.name from AssetVersion "
            f'where id is "{report.asset_version_id}"'
        )
        .one()
    )
    (link,) = version["review_session_objects"]
    return {"asset": version["asset"]["name"], "review_session": link["review_session"]["name"]}


def test_the_prompt_offers_the_profiles_session_and_the_publish_lands_in_it(
    saved_scene, maya_state, server_env, tmp_path
):
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    maya_state.answers["promptDialog"] = [
        ("OK", task),
        ("OK", f"Layout {TODAY}"),  # what the artist sees offered, accepted as it is
        ("OK", "first layout"),
    ]
    report = menu.publish_for_review()
    prompts = [d for d in maya_state.dialogs if d["_kind"] == "promptDialog"]
    assert prompts[1]["text"] == f"Layout {TODAY}"  # the settings' name, not "Dailies"
    assert report is not None and report.ok and not report.queued, report.format()
    assert _published(server_env, tmp_path, report) == {
        "asset": "sh010_shotCam",
        "review_session": f"Layout {TODAY}",
    }
    assert "review_session" not in choices.last_choices  # tomorrow: tomorrow's dated name


def test_a_publish_leaving_the_name_to_the_settings_fits_the_request_budget(
    saved_scene, maya_state, server_env, tmp_path
):
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    mark = server_env.log_mark()
    report = menu.publish_for_review({"task": task, "review_session": "", "comment": ""})
    assert report is not None and report.ok and not report.queued, report.format()
    assert_within_budget(server_env.requests_since(mark))
    assert _published(server_env, tmp_path, report) == {
        "asset": "sh010_shotCam",
        "review_session": f"Layout {TODAY}",
    }


def test_the_artists_session_name_wins_and_is_offered_again(
    saved_scene, maya_state, server_env, tmp_path
):
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    maya_state.answers["promptDialog"] = [("OK", task), ("OK", "Client wk48"), ("OK", "")]
    report = menu.publish_for_review()
    assert report is not None and report.ok, report.format()
    assert _published(server_env, tmp_path, report)["review_session"] == "Client wk48"
    assert choices.last_choices["review_session"] == "Client wk48"


def test_a_broken_settings_file_publishes_nothing_and_says_what_to_fix(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    broken = '{"settings": {"naming.review_sesion": "x"}}'
    (tmp_path / "broken.json").write_text(broken, encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(tmp_path / "broken.json"))
    mark = server_env.log_mark()
    report = menu.publish_for_review({"task": task, "review_session": "", "comment": ""})
    assert report is not None and not report.ok
    assert "naming.review_session" in report.errors[0], report.errors  # the nearest valid key
    assert server_env.requests_since(mark) == []  # nothing reached the server
    assert maya_state.playblasts == []
    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert shown["message"].startswith("Not published:")
