"""The sign-in pages' HTML: the form, "signed in as", a one-time link's button and the refusals.

Plain forms, no script (the Content-Security-Policy allows none), styled by the review pages'
stylesheet and ``web/signin.css``. Everything from the database or the request is escaped.
"""

from __future__ import annotations

import html
import string
from pathlib import Path
from typing import Dict, Optional
from urllib.parse import quote

from starlette.responses import HTMLResponse

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


def escape(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str, status: int = 200, heading: str = "") -> HTMLResponse:
    template = string.Template((WEB_DIR / "page.html").read_text(encoding="utf-8"))
    text = template.substitute(title=escape(title), heading=escape(heading or title), body=body)
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _alert(message: Optional[str]) -> str:
    return f'<p class="signin-error" role="alert">{escape(message)}</p>' if message else ""


def signin_form(
    message: Optional[str] = None, username: str = "", status: int = 200
) -> HTMLResponse:
    """The sign-in form (``message``: why the last try failed, shown as an alert)."""
    body = (
        f'{_alert(message)}<form method="post" action="/signin" class="signin-form">'
        '<label for="signin-username">User name</label>'
        f'<input id="signin-username" name="username" type="text" required autofocus '
        f'autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="255" '
        f'value="{escape(username)}">'
        '<label for="signin-password">Password</label>'
        '<input id="signin-password" name="password" type="password" required '
        'autocomplete="current-password" maxlength="1024">'
        '<button type="submit">Sign in</button></form>'
        '<p class="signin-help">No password yet? Ask your administrator for a sign-in link '
        "(<kbd>ft-dcc user signin-link NAME</kbd>). Scripts and DCCs use their API key, "
        "not this page.</p>"
    )
    return _page("Sign in", body, status)


def signout_form(csrf: str, label: str = "Sign out") -> str:
    return (
        '<form method="post" action="/signout" class="signin-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        f'<button type="submit" class="quiet">{escape(label)}</button></form>'
    )


def signed_in(username: str, csrf: str) -> HTMLResponse:
    """What ``/`` shows a signed-in person."""
    body = (
        f"<p>You are signed in as <strong>{escape(username)}</strong>.</p>"
        f'<p><a href="{DESK_PATH}">Open the dailies desk</a></p>'
        f'<p><a href="{PASSWORD_PATH}">Set or change your password</a></p>{signout_form(csrf)}'
    )
    return _page("Signed in", body)


def password_form(
    username: str, csrf: str, needs_current: bool, message: Optional[str] = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The form that sets the signed-in person's password (``needs_current``: they give the
    one they have: a sign-in by a one-time link does not)."""
    current = (
        '<label for="password-current">Current password</label>'
        '<input id="password-current" name="current" type="password" required '
        'autocomplete="current-password" maxlength="1024">'
        if needs_current
        else ""
    )
    body = (
        f"<p>For <strong>{escape(username)}</strong>. Every other sign-in of yours ends.</p>"
        f'{_alert(message)}<form method="post" action="{PASSWORD_PATH}" class="signin-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">{current}'
        '<label for="password-new">New password</label>'
        '<input id="password-new" name="new" type="password" required minlength="8" '
        'autocomplete="new-password" maxlength="1024">'
        '<label for="password-again">New password again</label>'
        '<input id="password-again" name="again" type="password" required minlength="8" '
        'autocomplete="new-password" maxlength="1024">'
        '<button type="submit">Set the password</button></form>'
        '<p class="signin-help"><a href="/">Back</a></p>'
    )
    return _page("Your password", body, status)


def link_page(token: str, username: str) -> HTMLResponse:
    """A one-time link's page: one button uses the link up (a mail scanner's GET does not)."""
    body = (
        f"<p>This link signs you in as <strong>{escape(username)}</strong>, once.</p>"
        f'<form method="post" action="/signin/link?token={quote(token, safe="")}" '
        'class="signin-form">'
        f'<button type="submit">Sign in as {escape(username)}</button></form>'
    )
    return _page("Sign in with a link", body)


def refused(title: str, message: str, status: int) -> HTMLResponse:
    """A refusal (a used or expired link, too many tries) with the way back to the form."""
    body = f'{_alert(message)}<p><a href="/">Go to the sign-in page</a></p>'
    return _page(title, body, status)
