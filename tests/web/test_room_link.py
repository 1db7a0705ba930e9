"""The room link in real Chromium: it asks who you are, remembers it, and credits
notes and verdicts to that person -- never to the user who made the link.

The session link comes from the genuine client's ``get_widget_url`` (what ``ft-dcc review link``
prints). Screenshots: ``room_link_before_choosing.png``, ``room_link_after_choosing.png``,
``room_link_note_credited.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from support import genuine_sessions
from support.browser import WAIT_MS, WEB_VIEWPORT

from .feedback_fixtures import make_dailies

pytestmark = [pytest.mark.browser]

NOTE = "Hold the pose <b>two</b> frames longer"


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Any]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    assert page.goto(url).status == 200
    page.wait_for_function(
        "() => +document.querySelector('main.items').dataset.feedbackLoaded >= 1"
    )
    return page


def _badge(page: Any) -> str:
    parts = (".whoami-label", ".whoami-name", ".whoami-change")
    return " ".join(page.locator(f".whoami-badge {p}").inner_text().strip() for p in parts)


def _visible(page: Any, selector: str) -> bool:
    return bool(page.locator(selector).first.is_visible())


def test_the_room_link_asks_who_you_are_and_credits_them(
    chromium: Any, make_session: Any, artifacts_dir: Path
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    room_url = session.get_widget_url("review_session", entity=dailies.review_session)
    shown = dailies.objects[1]  # v002, the latest: the version the page shows first
    first_item = f"#item-{shown['id']}"
    jane_browser = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        page = _open(jane_browser, room_url)
        page.locator(".whoami").wait_for()
        assert page.locator(".whoami-title").inner_text() == "Who are you?"
        # whoever runs the session is sent to the desk, not to a terminal
        help_text = page.locator(".whoami-help").first.inner_text()
        assert "your dailies desk" in help_text and "ft-dcc" not in help_text, help_text
        assert page.locator("a.whoami-desk").get_attribute("href") == "/desk/"
        # Before choosing: no note form, no drawing, no verdict buttons; nobody is claimed.
        assert not _visible(page, f"{first_item} .note-form")
        assert not _visible(page, f"{first_item} .my-review")
        assert page.locator(".whoami-select").count() == 0  # nobody added in this room yet
        page.screenshot(path=str(artifacts_dir / "room_link_before_choosing.png"))

        page.locator(".whoami-name-input").fill("Jane Doe")
        page.locator(".whoami-email-input").fill("jane@room.example")
        page.locator(".whoami-add-button").click()
        page.locator(".whoami-badge").wait_for()
        assert _badge(page) == "You are: Jane Doe change"
        assert not _visible(page, ".whoami")
        page.wait_for_function(
            "(s) => !document.querySelector(s + ' .my-review').hidden", arg=first_item
        )
        assert _visible(page, f"{first_item} .note-form")
        page.screenshot(path=str(artifacts_dir / "room_link_after_choosing.png"))

        item = page.locator(first_item)
        item.locator(".note-form textarea").fill(NOTE)
        item.locator("button.add-note").click()
        page.wait_for_function(
            "(s) => document.querySelector(s).dataset.notesAdded === '1'", arg=first_item
        )
        item.get_by_role("button", name="Approve").click()
        page.wait_for_function(
            "(s) => document.querySelector(s).dataset.statusesSet === '1'", arg=first_item
        )
        assert item.locator(".note-author").last.inner_text() == "Jane Doe"
        assert item.locator(".status-entry.approved .who").inner_text() == "Jane Doe"
        item.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "room_link_note_credited.png"))

        # What ftrack holds: Jane's invitee record, not the API user who made the link.
        reader = make_session()
        [note] = reader.query(
            f"select content, author.username, author.first_name, author.is_active from Note "
            f'where parent_id is "{shown["id"]}"'
        ).all()
        assert note["content"] == NOTE
        assert note["author"]["username"] != session.api_user
        assert (note["author"]["first_name"], note["author"]["is_active"]) == ("Jane", False)
        [status] = reader.query(
            "select status, invitee.name, invitee.created_from_shared_url from "
            f'ReviewSessionObjectStatus where review_session_object_id is "{shown["id"]}"'
        ).all()
        assert status["status"] == "approved" and status["invitee"]["name"] == "Jane Doe"
        assert status["invitee"]["created_from_shared_url"] is True

        # The browser remembers her: a reload asks nothing.
        page.reload()
        page.locator(".whoami-badge").wait_for()
        assert _badge(page) == "You are: Jane Doe change"
        assert page.locator(".whoami").count() == 0
    finally:
        jane_browser.close()

    # Another browser in the room: Jane is offered, the personally invited Ann and Bob are not,
    # and a forged request naming Ann is refused.
    other = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        page = _open(other, room_url)
        page.locator(".whoami-select").wait_for()
        offered = page.locator(".whoami-select option").all_inner_texts()
        assert offered == ["Jane Doe"]
        forged = page.evaluate(
            """([url, ann]) => fetch(url.replace('/feedback?', '/whoami?'), {method: 'POST',
                 headers: {'Content-Type': 'application/json'},
                 body: JSON.stringify({invitee_id: ann})}).then(r => r.status)""",
            [page.locator("main.items").get_attribute("data-feedback-url"), dailies.ann["id"]],
        )
        assert forged == 403
        silent = page.evaluate(
            """([url, item]) => fetch(url, {method: 'POST',
                 headers: {'Content-Type': 'application/json'},
                 body: JSON.stringify({object_id: item, content: 'who am I'})})
               .then(r => r.status)""",
            [page.locator("main.items").get_attribute("data-notes-url"), shown["id"]],
        )
        assert silent == 403
        notes = (
            make_session().query(f'select id from Note where parent_id is "{shown["id"]}"').all()
        )
        assert len(notes) == 1
        # Picking Jane, then "change": the panel is back and the browser forgot her.
        page.locator(".whoami-pick-button").click()
        page.locator(".whoami-badge").wait_for()
        page.locator(".whoami-change").click()
        page.locator(".whoami").wait_for()
        assert page.evaluate("() => Object.keys(localStorage).length") == 0
    finally:
        other.close()
