"""A client behind a passphrase writes notes on a frame, drawings and verdicts through the review
page's own scripts in real Chromium (``client_passphrase_checks``, which Firefox runs too), each
read back through the genuine ``ftrack_api`` client; a page of another origin on the same host
(same site: the grant cookie goes with its requests) cannot write with the client's grant.
Screenshot: ``test-artifacts/client_passphrase_chromium.png``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from .client_passphrase_checks import (
    SECRET,
    ClientWorld,
    answer_the_prompt,
    check_client_writes,
    module_world,
    read_back,
    write_a_note_on_a_frame,
)
from .drawing_checks import Screen
from .feedback_fixtures import Page
from .player_checks import ChromiumDriver
from .room_fixtures import say_who_i_am

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FORGED = "Approved by the client (forged)"


@pytest.fixture(scope="module")
def world(embedded_server: Any, tmp_path_factory: Any) -> Iterator[ClientWorld]:
    yield from module_world(embedded_server, tmp_path_factory, "client_passphrase")


def test_a_client_behind_a_passphrase_writes_through_the_page(
    world: ClientWorld, page: Any, artifacts_dir: Path
) -> None:
    def open_url(url: str) -> int:
        return int(page.goto(url).status)

    check_client_writes(
        ChromiumDriver(page), open_url, world, artifacts_dir, "client_passphrase_chromium"
    )


def _forged_form(target: str, object_id: str) -> str:
    """Another page's form posting a note as JSON (``text/plain``: no preflight) to ``target``."""
    name = json.dumps({"object_id": object_id, "content": FORGED, "frame": 1001, "x": ""})[:-2]
    return (
        "<!doctype html><title>Free stock footage</title>"
        f'<form method="post" enctype="text/plain" action="{html.escape(target)}">'
        f'<input type="hidden" name="{html.escape(name)}" value="&quot;}}">'
        '<button type="submit" id="go">Download</button></form>'
    )


def test_another_sites_page_cannot_write_with_the_clients_grant(
    world: ClientWorld, page: Any, embedded_server: Any, artifacts_dir: Path
) -> None:
    """A page on another port of the same host is the same *site*: the browser sends the
    client's ``SameSite=Strict`` grant with its form. The server refuses the write (the request
    is not from the review page's origin), and nothing is written."""
    page.goto(world.client_url)
    answer_the_prompt(ChromiumDriver(page))
    client = Page(world.client_url)
    evil_origin = f"http://127.0.0.1:{embedded_server.port + 1}"
    target = f"{client.base}/notes?token={client.token}"
    page.route(
        f"{evil_origin}/**",
        lambda route: route.fulfill(
            body=_forged_form(target, world.object_id), content_type="text/html"
        ),
    )
    page.goto(f"{evil_origin}/footage.html")
    with page.expect_navigation():
        page.click("#go")
    answer = page.inner_text("body")
    page.screenshot(path=str(artifacts_dir / "client_passphrase_forged_refused.png"))
    assert "another site" in answer, answer  # the grant came with it, and was refused
    assert all(n["content"] != FORGED for n in read_back(world)["notes"])


def test_a_write_with_the_grant_needs_the_pages_own_origin(world: ClientWorld) -> None:
    """Without ``Sec-Fetch-Site`` (a browser on plain HTTP to another machine sends none) the
    ``Origin`` decides: absent or another one is refused, this server's own is let through."""
    client = Page(world.client_url)
    viewer = requests.Session()
    answered = viewer.post(
        f"{client.base}/passphrase",
        params={"token": client.token},
        data={"passphrase": SECRET},
        allow_redirects=False,
        timeout=30,
    )
    assert answered.status_code == 303 and viewer.cookies, answered.text[:200]
    body = {"object_id": world.object_id, "content": "through the API", "frame": 1003}
    url = f"{client.base}/notes"

    def post(**headers: str) -> requests.Response:
        return viewer.post(url, params={"token": client.token}, json=body, headers=headers,
                           timeout=30)  # fmt: skip

    for headers in ({}, {"Origin": "http://127.0.0.1:1"}, {"Origin": "null"},
                    {"Origin": client.origin, "Sec-Fetch-Site": "same-site"}):  # fmt: skip
        refused = post(**headers)
        assert refused.status_code == 403 and "another site" in refused.text, headers
    written = [n["content"] for n in read_back(world)["notes"]]
    assert "through the API" not in written, written
    assert post(Origin=client.origin).status_code == 201
    assert post(**{"Sec-Fetch-Site": "same-origin"}).status_code == 201
    # a GET with the grant needs no origin: reading changes nothing
    assert viewer.get(f"{client.base}/feedback", params={"token": client.token},
                      timeout=30).status_code == 200  # fmt: skip


def test_a_room_link_holder_behind_a_passphrase_writes_as_who_they_said(
    world: ClientWorld, page: Any, artifacts_dir: Path
) -> None:
    """The room link asks for the passphrase too; once answered, the holder says who they are
    and the page writes with the link of their own the room gave them."""
    page.goto(world.room_url)
    answer_the_prompt(ChromiumDriver(page))
    say_who_i_am(page, "Rita Room", "rita.room@agency.example")
    screen = Screen(ChromiumDriver(page), artifacts_dir, "client_passphrase_room")
    write_a_note_on_a_frame(screen, 1030, "From the room: softer fill")
    page.screenshot(path=str(artifacts_dir / "client_passphrase_room.png"), full_page=True)
    notes = {n["content"]: n for n in read_back(world)["notes"]}
    note = notes["From the room: softer fill"]
    assert (note["frame"], note["author"]) == ("1030", "rita.room@agency.example")
