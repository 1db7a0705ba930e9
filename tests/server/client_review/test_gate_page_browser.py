"""The passphrase prompt and the closed page in a real Chromium: a client link of a session with
a passphrase shows the prompt, a wrong passphrase is refused on the page, the right one opens
the review; a link of a closed session shows when it closed. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .gate_world import Dailies, make_owner, utc

pytestmark = [pytest.mark.browser]

SECRET = "open sesame 7"


def test_the_prompt_then_the_review_then_the_closed_page(
    page: Any, embedded_server: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    for owner in make_owner(embedded_server, tmp_path):
        session = Dailies(embedded_server, owner, tmp_path, passphrase=SECRET,
                          passphrase_enabled=True)  # fmt: skip
        ann = session.invitee("ann")
        page.goto(f"{ann.base}?token={ann.token}")
        page.wait_for_selector("#gate-passphrase")
        assert "asks for a passphrase" in page.inner_text("h1")
        assert page.locator("article.item").count() == 0
        page.screenshot(path=str(artifacts_dir / "gate_passphrase_prompt.png"))

        page.fill("#gate-passphrase", "not the one")
        page.click("form.gate-form button[type=submit]")
        page.wait_for_selector(".gate-error")
        assert "not right" in page.inner_text(".gate-error")
        page.screenshot(path=str(artifacts_dir / "gate_passphrase_wrong.png"))

        page.fill("#gate-passphrase", SECRET)
        page.click("form.gate-form button[type=submit]")
        page.wait_for_selector("article.item")
        assert page.locator("#gate-passphrase").count() == 0
        page.reload()  # asked once: the grant stays with this browser
        page.wait_for_selector("article.item")
        page.screenshot(path=str(artifacts_dir / "gate_passphrase_passed.png"))

        session.update(start_date=utc(days=-3), end_date=utc(days=-1))
        page.reload()
        page.wait_for_selector(".gate-when")
        when = page.inner_text(".gate-when")
        assert when.startswith("This review closed on "), when
        assert page.locator("article.item").count() == 0
        page.screenshot(path=str(artifacts_dir / "gate_closed_page.png"))
