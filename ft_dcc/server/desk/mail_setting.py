"""The desk's *Mail* page: the signed-in person turns their own mail digests on or off
(``ft_dcc.server.notify.digests``: the notes, verdicts and reopened notes on their versions and
the notes that mention them).

``GET /desk/mail`` (the page; its script is the desk's own), ``GET /desk/api/mail`` (``{"digests":
bool}``) and ``POST /desk/api/mail`` with ``{"digests": true|false}`` and the sign-in's CSRF
token. The choice is always the signed-in person's own: no route names anyone else.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.desk import pages
from ft_dcc.server.notify.digests import MailChoices
from ft_dcc.server.signin import Person, csrf_token_for


class Desk(Protocol):
    """What the desk's routes lend this page (``desk.routes.DeskRoutes``)."""

    server: Any

    def posted(self, request: Request, work: Callable[[Person, Dict[str, Any]], Any],
               status: int = 200, body: bool = True) -> Awaitable[Response]: ...  # fmt: skip

    def html(
        self, request: Request, render: Callable[[Person], Response]
    ) -> Awaitable[Response]: ...


class MailSetting:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        server = desk.server
        self.choices = MailChoices(server.store.engine, server.store.metadata)

    def _state(self, person: Person) -> Dict[str, Any]:
        return {"digests": self.choices.wants([person.user_id])[person.user_id]}

    def _choose(self, person: Person, fields: Dict[str, Any]) -> Dict[str, Any]:
        digests = fields.get("digests")
        if not isinstance(digests, bool):
            raise BadInput('Send {"digests": true} or {"digests": false}: true or false.')
        self.choices.choose(person.user_id, digests)
        return self._state(person)

    async def page(self, request: Request) -> Response:
        def render(person: Person) -> Response:
            return pages.page("Mail", "mail.html", person.username, csrf_token_for(person), "mail",
                              data=self._state(person))  # fmt: skip

        return await self.desk.html(request, render)

    async def read(self, request: Request) -> Response:
        return await self.desk.posted(request, lambda p, _f: self._state(p), body=False)

    async def write(self, request: Request) -> Response:
        return await self.desk.posted(request, self._choose)

    def routes(self) -> List[BaseRoute]:
        return [
            Route("/desk/mail", self.page, methods=["GET"]),
            Route("/desk/api/mail", self.read, methods=["GET"]),
            Route("/desk/api/mail", self.write, methods=["POST"]),
        ]
