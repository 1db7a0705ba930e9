"""A client review end to end in Chromium (``web.client_journey``): the Supervisor on
the desk in one browser context, the client in another, the e-mail through a real SMTP server.
Screenshots: ``test-artifacts/client_journey_chromium/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest
from support.browser import WAIT_MS, WEB_VIEWPORT

pytest.importorskip("aiosmtpd")
from server.desk.desk_browser import DeskWorld
from support.smtp import SmtpServer

from .client_journey import journey, mailing_world
from .player_checks import ChromiumDriver

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def mailing(tmp_path: Path) -> Iterator[Tuple[Any, SmtpServer, DeskWorld]]:
    yield from mailing_world(tmp_path)


def test_a_client_review_from_the_desk_to_the_client_and_back_in_chromium(
    mailing: Tuple[Any, SmtpServer, DeskWorld], page: Any, chromium: Any, artifacts_dir: Path
) -> None:
    server, smtp, world = mailing
    shots = artifacts_dir / "client_journey_chromium"
    shots.mkdir(parents=True, exist_ok=True)
    desk = ChromiumDriver(page)
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        client_page = context.new_page()
        client_page.set_default_timeout(WAIT_MS)
        client = ChromiumDriver(client_page)
        journey(desk, page.goto, client, client_page.goto, desk, page.goto, False, world,
                server, smtp, chromium, shots)  # fmt: skip
    finally:
        context.close()
