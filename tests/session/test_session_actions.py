"""Custom attributes, raw actions (widgets, invites), URLs, ensure() and encode_media."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from session_helpers import make_project, make_version, open_session, unique


@pytest.fixture
def session(embedded_server: Any, tmp_path: Path) -> Iterator[Any]:
    with open_session(embedded_server, tmp_path) as session:
        yield session


def test_custom_attributes_existing_and_new_entities(
    session: Any, embedded_server: Any, tmp_path: Path
) -> None:
    project = make_project(session)
    session.reset()
    loaded = session.get("Project", project["id"])
    assert loaded["custom_attributes"]["fps"] == 25.0  # the configured default
    loaded["custom_attributes"]["fps"] = 24.0
    shot = session.create("Shot", {"name": unique("sh"), "parent": loaded})
    shot["custom_attributes"]["fstart"] = 1009.0
    mark = embedded_server.log_mark()
    session.commit()
    assert len(embedded_server.api_requests_since(mark)) == 1
    with open_session(embedded_server, tmp_path) as other:
        assert other.get("Project", project["id"])["custom_attributes"]["fps"] == 24.0
        again = other.get("Shot", shot["id"])
        assert again["custom_attributes"]["fstart"] == 1009.0
        assert dict(again["custom_attributes"])["fend"] == 1100.0
    with pytest.raises(KeyError, match="no_such_attribute"):
        shot["custom_attributes"]["no_such_attribute"] = 1


def test_raw_call_and_review_invites(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    review = session.create("ReviewSession", {"name": unique("rs"), "project": project})
    invitee = session.create(
        "ReviewSessionInvitee",
        {"name": "Client", "email": "client@example.com", "review_session": review},
    )
    session.commit()
    mark = embedded_server.log_mark()
    session.send_review_session_invites([invitee])
    assert embedded_server.api_requests_since(mark)[0]["actions"] == ["send_review_session_invite"]
    session.reset()
    assert session.get("ReviewSessionInvitee", invitee["id"])["last_sent_at"] is not None
    url = session.get_widget_url("info", entity=project, theme="dark")
    assert url.startswith(embedded_server.url + "/widget?token=")
    raw = session.call([{"action": "get_widget_url", "name": "tasks"}])
    assert raw[0]["widget_url"].startswith(embedded_server.url)


def test_urls_and_ensure(session: Any, embedded_server: Any, tmp_path: Path) -> None:
    path = tmp_path / "thumb.jpg"
    path.write_bytes(b"\xff\xd8 not really a jpeg")
    component = session.create_component(path, {"name": "thumbnail"})
    assert session.component_url(component).startswith(embedded_server.url + "/component/get?")
    assert requests.get(session.component_url(component), timeout=10).content == path.read_bytes()
    assert "size=300" in session.thumbnail_url(component, size=300)
    assert session.server_location.get_url(component) == session.component_url(component)
    name = unique("ensured")
    first = session.ensure("AssetType", {"name": name, "short": name})
    second = session.ensure("AssetType", {"name": name, "short": "other"}, ["name"])
    assert first["id"] == second["id"]


@pytest.mark.slow
def test_encode_media_returns_job(session: Any, tmp_path: Path) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg not installed")
    movie = tmp_path / "source.mov"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=1",
         "-pix_fmt", "yuv420p", str(movie)],
        check=True,
    )  # fmt: skip
    project = make_project(session)
    version = make_version(session, project)
    job = session.encode_media(str(movie), version_id=version["id"])
    assert job.entity_type == "Job"
    deadline = time.monotonic() + 120
    while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        session.populate([job], "status")
    assert job["status"] == "done"
    session.reset()
    names = {c["name"] for c in session.get("AssetVersion", version["id"])["components"]}
    assert "ftrackreview-mp4" in names
