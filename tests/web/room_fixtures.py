"""The room link's "Who are you?" (``whoami.js``) answered in a test's browser page."""

from __future__ import annotations

from typing import Any

REVIEWER = ("Room Reviewer", "room.reviewer@studio.example")


def say_who_i_am(page: Any, name: str = REVIEWER[0], email: str = REVIEWER[1]) -> None:
    """Add ``name`` as this room's reviewer on a room-link page, and wait until the page says so
    (then notes, drawings and verdicts go out as them)."""
    page.locator(".whoami-add").wait_for()
    page.locator(".whoami-name-input").fill(name)
    page.locator(".whoami-email-input").fill(email)
    page.locator(".whoami-add-button").click()
    page.locator(".whoami-badge .whoami-name", has_text=name).wait_for()
