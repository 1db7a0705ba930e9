"""The sign-in page in a real headless Chromium: the form by its labels, a wrong password's
alert, the right one's sign-in (an HttpOnly, SameSite=Lax cookie the page's scripts cannot
read), "signed in as" at ``/`` and signing out. Screenshots in ``test-artifacts/``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from support.cli import run_ft_dcc

from server.signin.people import password_on


def _submit(page: Any, name: str, password: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_the_sign_in_page_in_chromium(embedded_server: Any, page: Any, artifacts_dir: Path) -> None:
    name, password = password_on(embedded_server, "page")
    url = str(embedded_server.url)

    page.goto(url + "/")
    assert page.title() == "Sign in"
    assert page.get_by_label("User name").is_visible()
    page.screenshot(path=str(artifacts_dir / "signin-page.png"))

    _submit(page, name, "not the password")
    page.wait_for_load_state()
    assert "do not match" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("User name").input_value() == name
    page.screenshot(path=str(artifacts_dir / "signin-wrong-password.png"))

    _submit(page, name, password)
    page.wait_for_url(url + "/desk/")
    cookies = [c for c in page.context.cookies() if c["name"] == "ft_dcc_signin"]
    assert len(cookies) == 1 and cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""

    page.goto(url + "/")
    assert page.title() == "Signed in"
    assert name in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "signin-signed-in.png"))

    page.get_by_role("link", name="Set or change your password").click()
    page.wait_for_load_state()
    assert page.title() == "Your password"
    assert page.get_by_label("Current password").is_visible()
    page.screenshot(path=str(artifacts_dir / "signin-password.png"))
    page.goto(url + "/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.title() == "Sign in"
    assert not [c for c in page.context.cookies() if c["name"] == "ft_dcc_signin"]


@pytest.mark.browser
def test_a_one_time_link_in_chromium(embedded_server: Any, page: Any, artifacts_dir: Path) -> None:
    name, _password = password_on(embedded_server, "linkpage")
    printed = run_ft_dcc(["user", "signin-link", name, "--data", str(embedded_server.data_dir)],
                         env=dict(os.environ))  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    link = str(embedded_server.url) + "/signin/link?" + printed.stdout.split("?", 1)[1].strip()

    page.goto(link)
    page.screenshot(path=str(artifacts_dir / "signin-link.png"))
    page.get_by_role("button", name=f"Sign in as {name}").click()
    page.wait_for_url(str(embedded_server.url) + "/desk/")
    page.goto(link)

    assert "used already" in page.get_by_role("alert").inner_text()
    page.screenshot(path=str(artifacts_dir / "signin-link-used.png"))

