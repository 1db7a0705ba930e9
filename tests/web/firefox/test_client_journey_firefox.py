"""A client review end to end in Firefox (Debian's firefox-esr over WebDriver BiDi,
``web.client_journey``): the Supervisor builds and invites on the desk in Firefox and signs out;
the client opens the e-mailed link in that Firefox and reviews; the Supervisor then works on in
a Chromium page (the Firefox driver has one page, which stays the client's), and her revoke
shows on the client's open Firefox page. Screenshots: ``test-artifacts/client_journey_firefox/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest

pytest.importorskip("aiosmtpd")
from server.desk.desk_browser import DeskWorld
from support.smtp import SmtpServer

from ..client_journey import journey, mailing_world
from ..player_checks import ChromiumDriver
from .firefox import Firefox, firefox_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log", watch=True)


@pytest.fixture
def mailing(tmp_path: Path) -> Iterator[Tuple[Any, SmtpServer, DeskWorld]]:
    yield from mailing_world(tmp_path)


def test_a_client_review_from_the_desk_to_the_client_and_back_in_firefox(
    firefox: Firefox, mailing: Tuple[Any, SmtpServer, DeskWorld], page: Any, chromium: Any,
    artifacts_dir: Path,
) -> None:  # fmt: skip
    server, smtp, world = mailing
    shots = artifacts_dir / "client_journey_firefox"
    shots.mkdir(parents=True, exist_ok=True)
    supervisor = ChromiumDriver(page)
    journey(firefox, firefox.goto, firefox, firefox.goto, supervisor, page.goto, True, world,
            server, smtp, chromium, shots)  # fmt: skip
