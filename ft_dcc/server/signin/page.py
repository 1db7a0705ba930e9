"""The sign-in pages' HTML: the form, "signed in as", a one-time link's button and the refusals.

Plain forms, no script (the Content-Security-Policy allows none), styled by the review pages'
stylesheet and ``web/signin.css``, from the Jinja2 templates of ``web/`` (``page.html`` and the
pages that extend it), which escape everything from the database or the request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import quote

from starlette.responses import HTMLResponse

from ft_dcc.server.http.pages import page, templates_in

WEB_DIR = Path(__file__).resolve().parent / "web"
#: where the desk lives (a signed-in person lands there)
DESK_PATH = "/desk/"
#: where a signed-in person sets their password
PASSWORD_PATH = "/signin/password"
HEADERS: Dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


_TEMPLATES = templates_in(WEB_DIR)


def _page(name: str, title: str, status: int = 200, **context: Any) -> HTMLResponse:
    return page(_TEMPLATES, name, status, HEADERS, title=title, heading="", **context)


def signin_form(
    message: Optional[str] = None, username: str = "", status: int = 200
) -> HTMLResponse:
    """The sign-in form (``message``: why the last try failed, shown as an alert)."""
    return _page("signin_form.html", "Sign in", status, message=message, username=username)


def signed_in(username: str, csrf: str) -> HTMLResponse:
    """What ``/`` shows a signed-in person."""
    return _page("signed_in.html", "Signed in", username=username, csrf=csrf,
                 desk_path=DESK_PATH, password_path=PASSWORD_PATH)  # fmt: skip


def password_form(
    username: str, csrf: str, needs_current: bool, message: Optional[str] = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The form that sets the signed-in person's password (``needs_current``: they give the
    one they have: a sign-in by a one-time link does not)."""
    return _page("password.html", "Your password", status, username=username, csrf=csrf,
                 needs_current=needs_current, message=message,
                 password_path=PASSWORD_PATH)  # fmt: skip


def link_page(token: str, username: str) -> HTMLResponse:
    """A one-time link's page: one button uses the link up (a mail scanner's GET does not)."""
    return _page("link.html", "Sign in with a link", username=username,
                 token_query=quote(token, safe=""))  # fmt: skip


def refused(title: str, message: str, status: int) -> HTMLResponse:
    """A refusal (a used or expired link, too many tries) with the way back to the form."""
    return _page("refused.html", title, status, message=message)
