"""``/signin/password``: a signed-in person sets their own password.

``GET`` shows the form; ``POST`` (form ``current``, ``new``, ``again`` and ``csrf_token``) checks
the sign-in's CSRF token, the current password (rate-limited as a sign-in is; not asked of a
sign-in made by a one-time link, which is how an administrator resets a forgotten password, nor
of a person who has none yet), and the new one (8 to 1,024 characters, typed twice); it then
stores it, ends every sign-in of the person everywhere (their other browsers' next requests are
refused, their review pages' ``/live`` streams closed) and signs this browser in anew, on the
desk.
"""

from __future__ import annotations

from typing import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ft_dcc.server.audit.source import peer_address
from ft_dcc.server.limits.limiter import TooManyAttempts
from ft_dcc.server.signin import page
from ft_dcc.server.signin.accounts import (
    PasswordRejected,
    check_new_password,
    check_password,
    set_password,
)
from ft_dcc.server.signin.cookies import set_cookie
from ft_dcc.server.signin.forms import read_form
from ft_dcc.server.signin.person import Person, SignInRefused, current_person, require_csrf
from ft_dcc.server.signin.state import SIGNIN_LIFETIME, SignInParts, parts_for

DIFFER = "The two new passwords differ; type the same one twice."
WRONG_CURRENT = "That is not your current password; try again (or ask for a sign-in link)."


def _needs_current(parts: SignInParts, person: Person) -> bool:
    has_one = parts.passwords.stored(person.user_id) is not None
    return has_one and not parts.resets.allowed(person.session_id)


def _change(parts: SignInParts, request: Request, person: Person,
            form: Mapping[str, str]) -> Response:  # fmt: skip
    """Set the password the form gives, or answer the form again saying what to fix."""
    needs_current = _needs_current(parts, person)

    def again(message: str, status: int) -> Response:
        return page.password_form(person.username, person.csrf, needs_current, message, status)

    new = form.get("new", "")
    if new != form.get("again", ""):
        return again(DIFFER, 400)
    try:
        check_new_password(new)
    except PasswordRejected as exc:
        return again(f"Not set: {exc}.", 400)
    if needs_current:
        source = peer_address(request.scope)
        if check_password(parts, source, person.username, form.get("current", "")) is None:
            return again(WRONG_CURRENT, 403)
    set_password(parts, person.user_id, new)  # every sign-in of theirs ends, everywhere
    parts.resets.drop(person.session_id)
    raw = parts.signins.open(person.user_id, SIGNIN_LIFETIME)
    response = RedirectResponse(page.DESK_PATH, status_code=303, headers=page.HEADERS)
    set_cookie(response, request, raw, SIGNIN_LIFETIME)
    return response


async def show(request: Request) -> Response:
    person = await run_in_threadpool(current_person, request)
    if person is None:
        return RedirectResponse("/", status_code=303, headers=page.HEADERS)
    parts = parts_for(request.app.state.server)
    needs = await run_in_threadpool(_needs_current, parts, person)
    return page.password_form(person.username, person.csrf, needs)


async def change(request: Request) -> Response:
    form = await read_form(request)
    person = await run_in_threadpool(current_person, request)
    if person is None:
        return RedirectResponse("/", status_code=303, headers=page.HEADERS)
    try:
        require_csrf(request)
    except SignInRefused as exc:
        return page.refused("Not changed", exc.message, exc.status)
    parts = parts_for(request.app.state.server)
    try:
        return await run_in_threadpool(_change, parts, request, person, form)
    except TooManyAttempts as exc:
        refused = page.refused("Too many tries", exc.message, 429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
