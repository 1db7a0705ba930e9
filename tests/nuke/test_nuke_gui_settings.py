"""A Write node's publish (menu or afterRender) reads the studio settings through the same seam as
``ft-dcc publish``: a Nuke profile's review-session and asset names are what reaches the
real embedded server, the artist's own knob still wins, the settings read shares the publish's
session (the request budget holds), and without a server the publish uses the defaults and
says so once."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict

import nuke
import pytest
from ft_dcc_hosts.nuke import callbacks
from support import make_task, open_session
from support.budget import assert_within_budget

from ft_dcc.settings.templates import current_date

STUDIO = {
    "profiles": [
        {"name": "nuke comp", "hosts": ["nuke"], "task_types": ["Compositing"],
         "settings": {"naming.review_session": "Comp {date}",
                      "naming.asset": "{shot}_{host}_review"}},
        {"name": "maya only", "hosts": ["maya"],
         "settings": {"naming.review_session": "Maya {date}"}},
    ]
}  # fmt: skip
TODAY = current_date().isoformat()  # the run's day (tests/conftest.py)


@pytest.fixture
def studio_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "studio.json"
    path.write_text(json.dumps(STUDIO), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(path))
    return path


def _names_on_server(session: Any, report: Any) -> Dict[str, str]:
    version = session.query(
        f'select asset.name from AssetVersion where id is "{report.asset_version_id}"'
    ).one()
    review = session.query(
        f'select name from ReviewSession where id is "{report.review_session_id}"'
    ).one()
    return {"asset": version["asset"]["name"], "review_session": review["name"]}


def test_the_menu_publish_uses_the_nuke_profile_within_the_request_budget(
    tmp_path, comp, embedded_server, server_env, studio_file
):
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}")
    mark = embedded_server.log_mark()
    job = callbacks.publish_write_node(comp, task=task)  # nuke -t: runs inline
    assert job.report is not None and job.report.ok and not job.report.queued, job.error
    requests = embedded_server.requests_since(mark)
    assert _names_on_server(session, job.report) == {
        "asset": "sh010_nuke_review",
        "review_session": f"Comp {TODAY}",
    }
    # the request budget for one reviewable: the settings read is the publish's first read
    assert_within_budget(requests)


def test_the_artists_review_session_knob_wins_over_the_profile(
    tmp_path, comp, embedded_server, server_env, studio_file
):
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}")
    callbacks.add_review_knobs(comp)
    assert "naming.review_session" in comp[callbacks.REVIEW_SESSION_KNOB].tooltip()
    comp[callbacks.REVIEW_SESSION_KNOB].setValue("Client picks")
    nuke.scriptSave()
    job = callbacks.publish_write_node(comp, task=task)
    assert job.report is not None and job.report.ok, job.error or job.report.format()
    assert _names_on_server(session, job.report) == {
        "asset": "sh010_nuke_review",  # the artist named no asset: the template still applies
        "review_session": "Client picks",
    }


def test_without_a_server_the_publish_uses_the_defaults_and_says_so_once(
    tmp_path, comp, monkeypatch
):
    monkeypatch.delenv("FT_DCC_SETTINGS", raising=False)
    monkeypatch.setenv("FTRACK_SERVER", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("FTRACK_API_USER", "artist")
    monkeypatch.setenv("FTRACK_API_KEY", "not-checked")
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
    monkeypatch.setenv("FTRACK_API_SCHEMA_CACHE_PATH", str(tmp_path / "schema-cache"))
    job = callbacks.publish_write_node(comp, task="proj/sq010/sh010/comp")
    report = job.report
    assert report is not None and report.ok and report.queued, job.error or report.format()
    manifest = json.loads(next((tmp_path / "queue").glob("*/manifest.json")).read_text())
    assert f"Dailies {TODAY}" in json.dumps(manifest)  # the built-in default name
    said = [w for w in report.warnings if "settings" in w]
    assert len(said) == 1, report.warnings
    assert "not read" in said[0] and "built-in defaults" in said[0], said
    assert report.format().count("settings were not read") == 1
