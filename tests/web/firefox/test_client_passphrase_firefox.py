"""A client behind a passphrase writes a note on a frame, a drawing and a verdict through the
review page's own scripts in Firefox (Debian's firefox-esr over WebDriver BiDi), held to the same
checks as in Chromium (``client_passphrase_checks``); each write read back through the genuine
``ftrack_api`` client. Screenshot: ``test-artifacts/client_passphrase_firefox.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from ..client_passphrase_checks import ClientWorld, check_client_writes, module_world
from .firefox import Firefox, firefox_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log", watch=True)


@pytest.fixture(scope="module")
def world(embedded_server: Any, tmp_path_factory: Any) -> Iterator[ClientWorld]:
    yield from module_world(embedded_server, tmp_path_factory, "firefox_client_passphrase")


def test_a_client_behind_a_passphrase_writes_through_the_page(
    firefox: Firefox, world: ClientWorld, artifacts_dir: Path
) -> None:
    check_client_writes(firefox, firefox.goto, world, artifacts_dir, "client_passphrase_firefox")
