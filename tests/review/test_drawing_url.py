"""The drawing URL ``ft-dcc review feedback`` prints opens in a browser.

A reviewer draws through their invitee link (``POST /review/<rs>/annotations``); ``ft-dcc review
feedback`` (a real subprocess) prints the drawing's URL. Opened as a browser would -- no API key
header, no cookie -- it answers the PNG. It is a short-lived signed URL (``generate_signed_url``,
the shape the server's ``/component/get`` redirects use), and no API key is in it.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, Dict
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from support import open_session
from support.cli import run_ft_dcc
from support.feedback import seed_feedback
from web.feedback_fixtures import data_url, stroke_png


@pytest.fixture
def session(embedded_server: Any, tmp_path: Path) -> Any:
    with open_session(embedded_server, tmp_path) as opened:
        yield opened


def _feedback(server: Any, tmp_path: Path, project: str, *extra: str) -> str:
    env = dict(os.environ, **server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schemas"))
    done = run_ft_dcc(
        ["review", "feedback", "Feedback", "--project", project, *extra], env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _drawn(session: Any) -> Dict[str, Any]:
    """A project whose review session has one drawing made through an invitee's link."""
    name = f"dw{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    session.commit()
    seeded = seed_feedback(session, project)
    rs = seeded["review_session"]
    item = session.query(f'ReviewSessionObject where review_session_id is "{rs["id"]}" '
                         f'and version_id is "{seeded["v002"]}"').one()  # fmt: skip
    invitee = session.query(f'ReviewSessionInvitee where review_session_id is "{rs["id"]}"').first()
    url = session.get_widget_url("review_session", entity=invitee)
    token = parse_qs(urlsplit(url).query)["token"][0]
    png = stroke_png()
    drawn = requests.post(
        f"{session.server_url}/review/{rs['id']}/annotations",
        params={"token": token},
        timeout=60,
        json={"object_id": item["id"], "frame": 1004, "png": data_url(png)},
    )
    assert drawn.status_code == 201, drawn.text
    return {"project": name, "png": png}


def test_the_printed_drawing_url_opens_without_credentials(
    session: Any, embedded_server: Any, tmp_path: Path
) -> None:
    drawn = _drawn(session)
    data = json.loads(_feedback(embedded_server, tmp_path, drawn["project"], "--json"))
    urls = [u for v in data["versions"] for n in v["notes"] for u in n["drawings"]]
    assert urls, data
    opened = []
    for url in urls:
        assert embedded_server.api_key not in url and "apiKey" not in url
        assert url.startswith(f"{embedded_server.url}/component/get?") and "token=" in url
        response = requests.get(url, timeout=30)  # as a browser: no ftrack headers at all
        if response.status_code == 200:
            opened.append((response.headers["content-type"], response.content))
    assert ("image/png", drawn["png"]) in opened
    text = _feedback(embedded_server, tmp_path, drawn["project"])
    printed = [line.split("drawing: ", 1)[1] for line in text.splitlines() if "drawing: " in line]
    assert printed and all("token=" in u and embedded_server.api_key not in u for u in printed)
    assert any(requests.get(u, timeout=30).content == drawn["png"] for u in printed)
