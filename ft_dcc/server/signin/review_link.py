"""A signed-in person opens a review page: ``GET /signin/review/<review session id>`` answers
``303`` to the session's page with a **personal** link of theirs (acting as them, as
``ft-dcc review open`` does) that rests on this sign-in instead of an API key
(``review.access``'s ``si``): signing out, a new password or the User's deactivation ends it --
the page's next request is refused and its ``/live`` stream is closed, in every server process.
Without a sign-in it answers ``303`` to the sign-in page. The desk links its sessions here
("Open"; "Present" adds ``?present=1``: the page, at ``#present``, takes the lead itself when
the person may present).
"""

from __future__ import annotations

from typing import Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.review.access.access import PERSONAL_MAX_TTL, signer_for
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin import page
from ft_dcc.server.signin.person import Person, current_person
from ft_dcc.server.signin.state import parts_for
from ft_dcc.server.signin.tables import now

PATH = "/signin/review/{review_session_id}"


def review_path(server: EmbeddedServer, person: Person, review_session_id: str) -> Optional[str]:
    """The path of ``review_session_id``'s page with a personal link of ``person``'s sign-in,
    living as long as the sign-in does (``None``: it just ended)."""
    found = parts_for(server).signins.find(person.session_id)
    if found is None:
        return None
    left = int((found.expires_at - now()).total_seconds())
    signer = signer_for(server.config.data_dir)
    token = signer.sign(review_session_id, person.user_id, ttl=max(1, min(left, PERSONAL_MAX_TTL)),
                        personal=True, signin=person.session_id)  # fmt: skip
    return f"/review/{review_session_id}?token={token}"


async def open_review(request: Request) -> Response:
    """``GET /signin/review/<id>`` (module docstring)."""
    person = await run_in_threadpool(current_person, request)
    if person is None:
        return RedirectResponse("/", status_code=303, headers=page.HEADERS)
    try:
        session_id = check_component_id(str(request.path_params["review_session_id"]))
    except FileStoreError as exc:
        return page.refused("Not a review session", exc.message, 404)
    path = await run_in_threadpool(review_path, request.app.state.server, person, session_id)
    if path and request.query_params.get("present") == "1":
        path += "#present"  # the page takes the lead once it knows it may
    return RedirectResponse(path or "/", status_code=303, headers=page.HEADERS)
