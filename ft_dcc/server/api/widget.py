"""``GET /widget?token=``: the page behind ``get_widget_url`` (other than the review page)."""

from __future__ import annotations

from pathlib import Path
from typing import List

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ft_dcc.server.files.filestore import FileStoreError
from ft_dcc.server.http.pages import page, templates_in
from ft_dcc.server.identity.layer import identity_of
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.runtime.embedded import EmbeddedServer

#: The widget page runs no script; only its inline theme style is allowed.
WIDGET_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
}

_TEMPLATES = templates_in(Path(__file__).resolve().parent / "templates")


def routes(server: EmbeddedServer) -> List[Route]:
    """The widget page's route for ``server``."""

    async def widget(request: Request) -> Response:
        try:
            identity = identity_of(request)  # the widget URL's token, checked here
            token = identity.token if admits(identity, Area.WIDGET) else None
            payload = server.files.unsign_token(token or "", "widget")
        except FileStoreError as exc:  # a bad or expired link: its own status (403)
            return page(_TEMPLATES, "widget_refused.html", exc.status, message=exc.message)
        title = f"{payload.get('w')}: {payload.get('et') or ''} {payload.get('ek') or ''}"
        theme = "#222;color:#eee" if payload.get("t") == "dark" else "#fff;color:#111"
        return page(_TEMPLATES, "widget.html", headers=WIDGET_HEADERS, title=title, theme=theme)

    return [Route("/widget", widget, methods=["GET"])]
