"""The desk's routes (every one needs a sign-in: ``signin.current_person``; a page without one
answers ``303`` to the sign-in page, a JSON route ``403``).

Pages: ``GET /desk/`` (projects and their sessions), ``/desk/project/<id>``,
``/desk/session/<id>``, ``/desk/session/<id>/export.csv`` and ``…/audit.csv`` (named after the
session); their files ``/desk/static/<name>``.
JSON: ``GET /desk/api/sessions?project=`` (the sessions listed, their badges' state),
``GET /desk/api/session/<id>`` (items, rules, invitees, whether you manage it),
``GET /desk/api/project/<id>/versions?sequence=&shot=&task=&status=&asset=&latest=1&from=<session
id>``, ``GET /desk/api/session/<id>/audit?who=&act=`` (the trail as sentences), ``POST
/desk/api/session/<id>/link`` (the room link), ``POST /desk/api/project/<id>/sessions``
(create) and ``POST /desk/api/session/<id>/<add|remove|order|rename|open|private|invite|send|
invitee_link|rules|revoke>`` (``invite`` mails each new invitee their link, ``send`` a new one
again, ``invitee_link`` answers one to send by hand: ``desk.invitations``; adding, removing and
moving versions are recorded in the audit trail); ``POST /desk/api/project/<id>/cut`` and
``/desk/api/session/<id>/cut`` (a cut file as the body: ``desk.cut_upload``). Every ``POST``
checks the sign-in's CSRF token (``signin.require_csrf``); the store's rules decide who may
write (who manages the session: ``rules.review_rights.manages_session``), so the desk can do
nothing the person's own ``/api`` batch could not. Errors answer ``{"error": what to do}``.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.audit import (
    current_source,
    entries,
    record_after,
    record_all_after,
    set_source,
)
from ft_dcc.server.audit.source import peer_address
from ft_dcc.server.common.errors import BadInput, ServerError
from ft_dcc.server.desk import pages
from ft_dcc.server.desk.audit_text import ACT_NAMES, audit_csv, readable
from ft_dcc.server.desk.cut_upload import MAX_CUT, CutUpload
from ft_dcc.server.desk.export import download_name, export_csv
from ft_dcc.server.desk.invitations import Caller, Invitations, invitee_states
from ft_dcc.server.desk.mail_setting import MailSetting
from ft_dcc.server.desk.project_lists import HOME_PROJECTS, MOST_FIND, ProjectLists
from ft_dcc.server.desk.reads import FILTERS, DeskReads
from ft_dcc.server.desk.session_lists import PAGE, SessionLists
from ft_dcc.server.desk.version_search import VersionSearch
from ft_dcc.server.desk.write_views import ViewRead
from ft_dcc.server.desk.writes import NO_SESSION, READ_THEIR_SESSION, DeskWrites, Record, RecordAll
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.bodies import JsonBodyError, parse_json_body, read_limited_body
from ft_dcc.server.http.parts import Part
from ft_dcc.server.model.database import is_unreachable
from ft_dcc.server.review.invitations.widget_link import widget_url
from ft_dcc.server.rules.review_rights import (
    managed_project_ids,
    manages_session,
    manages_session_row,
)
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin import Person, csrf_token_for, current_person, require_csrf

MAX_BODY = 256 * 1024
#: the desk's pages and its JSON (``/desk/…``), its cut upload up to :data:`MAX_CUT`
PART = Part(("/desk",), lambda config: [("/desk/api/", "/cut", MAX_CUT), ("/desk/", "", MAX_BODY)])
AUDIT_ROWS = 2000
STATIC = {"desk.css": "text/css", "desk.js": "text/javascript"}
NO_STORE = {"Cache-Control": "no-store"}
NOT_MANAGER = (
    "Only those who manage this review session (its creator, a Supervisor or Project Manager of "
    "its project, an administrator) may do this; ask one of them."
)


#: the most sessions one ``/desk/api/sessions?ids=`` follows (a page lists no more)
MOST_FOLLOWED = 500


def _id(value: object, what: str) -> str:
    try:
        return check_component_id(value)
    except FileStoreError:
        raise BadInput(f"That is not the id of a {what}; pick one from the desk.", 404) from None


def _number(query: Mapping[str, str], name: str, default: int) -> int:
    """A whole number the query sends (``default`` when it sends none)."""
    text = query.get(name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise BadInput(f"Send {name} as a whole number (0 or more).")
    return int(text)


def _added(made: List[str], read: ViewRead) -> Tuple[Dict[str, Any], ViewRead]:
    return {"added": made}, read


def _reply(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=NO_STORE)


async def _fields(request: Request) -> Dict[str, Any]:
    body = await read_limited_body(request, MAX_BODY)
    if body is None:
        raise BadInput(f"Send at most {MAX_BODY} bytes.", 413)
    try:
        found = parse_json_body(body) if body.strip() else {}
    except JsonBodyError as exc:
        raise BadInput(f"{exc} Send a JSON object.") from None
    if not isinstance(found, dict):
        raise BadInput("Send a JSON object.")
    return found


class DeskRoutes:
    """The desk's handlers for one server."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.lists = SessionLists(server.store)
        self.projects = ProjectLists(server.store)
        self.search = VersionSearch(server.store)

    # -- the work (in a thread) -------------------------------------------------------------------
    def reads(self, person: Person) -> DeskReads:
        return DeskReads(self.server.ctx.execute, person.user_id)

    def manages(self, person: Person, session_id: str) -> bool:
        with self.server.store.engine.connect() as connection:
            return manages_session(connection, self.server.store, person.user_id, session_id)

    def manages_row(self, person: Person, session: Mapping[str, object]) -> bool:
        """:meth:`manages` for a session read already (``id``, ``project_id``,
        ``created_by_id``)."""
        with self.server.store.engine.connect() as connection:
            return manages_session_row(connection, self.server.store, person.user_id, session)

    def _projects(self, person: Person, query: Mapping[str, str]) -> Dict[str, Any]:
        """A page of the projects (``?offset=`` and ``?find=`` a part of a name: ``project_lists``)
        each with its open and recent sessions (``session_lists``) and whether the person
        manages its reviews."""
        with self.server.store.engine.connect() as connection:
            managed = managed_project_ids(connection, self.server.store, person.user_id)
        find = query.get("find", "")
        if len(find) > MOST_FIND:
            raise BadInput(f"Look for at most {MOST_FIND} characters of a project's name.")
        listed = self.projects.page(managed, _number(query, "offset", 0), HOME_PROJECTS, find)
        sessions = self.lists.home(p["id"] for p in listed["projects"])
        found = []
        for project in listed["projects"]:
            mine = sessions.get(str(project["id"])) or {"sessions": [], "total": 0, "more": False}
            found.append(
                {
                    "id": project["id"],
                    "name": project.get("full_name") or project["name"],
                    "manages": managed is None or project["id"] in managed,
                    "sessions": mine["sessions"],
                    "total": mine["total"],
                    "more": mine["more"],
                }
            )
        return dict(listed, projects=found)

    def _session(self, person: Person, session_id: str, first: Optional[int] = None,
                 around: bool = True) -> Dict[str, Any]:  # fmt: skip
        """The session's view; ``around``: with the project's other sessions (its newest page)
        and the Users one may invite (a write's answer goes without: the page keeps those it
        read, and a write changes neither)."""
        read = self.reads(person).session_view_and_settings(session_id, first, people=around)
        if read is None:
            raise BadInput(NO_SESSION, 404)
        return self._dressed(person, session_id, read, around)

    def _dressed(self, person: Person, session_id: str, read: ViewRead, around: bool
                 ) -> Dict[str, Any]:  # fmt: skip
        """A session's view read (its ``review`` settings beside it) as the person may see it:
        whether they manage it, and then its invitees' states (and ``around``, its project's
        other sessions)."""
        found, settings = dict(read[0]), read[1]
        manages = self.manages_row(person, found["session"])
        if not manages:  # what only those who manage it read
            found.update(rules=None, invitees=[])
            if around:
                found.update(others=[], users=[])
            return dict(found, manages=manages)
        invitee_states(self.server, self.reads(person), session_id, found, settings)
        if around:
            listed = self.lists.page(str(found["session"]["project_id"]))["sessions"]
            found["others"] = [{"id": s["id"], "name": s["name"]} for s in listed
                               if s["id"] != session_id]  # fmt: skip
        return dict(found, manages=manages)

    def _versions(self, person: Person, project_id: str, query: Mapping[str, str]) -> List[Any]:
        reads = self.reads(person)
        source = query.get("from")
        if source:
            return reads.session_versions(_id(source, "review session"))
        filters = {name: query.get(name, "")[:100] for name in FILTERS}
        return self.search.search(project_id, filters, query.get("latest") in ("1", "true", "on"))

    def _audit(self, person: Person, session_id: str, query: Mapping[str, str]) -> Dict[str, Any]:
        """The trail as sentences (:mod:`.audit_text`), only ``who``'s or one ``act``'s when
        the query asks."""
        if not self.manages(person, session_id):
            raise BadInput(NOT_MANAGER, 403)
        act = query.get("act") or None
        if act is not None and act not in ACT_NAMES:
            raise BadInput(f"Filter by one of these acts: {', '.join(ACT_NAMES)}.")
        found = entries(self.server.store, session_id, None, 0, AUDIT_ROWS)
        return readable(self.reads(person), session_id, found, query.get("who") or None, act)

    def recorder(self, person: Person) -> Record:
        """What records the person's desk edits in the trail (after their write committed)."""

        def record(session_id: str, act: str, detail: Dict[str, object]) -> None:
            record_after(self.server.store, act, who=f"user:{person.user_id}",
                         review_session_id=session_id, source=current_source(),
                         detail=detail)  # fmt: skip

        return record

    def _all_recorder(self, person: Person) -> RecordAll:
        """What records one desk edit done to several items at once (one transaction)."""

        def record_all(session_id: str, act: str, details: List[Dict[str, object]]) -> None:
            record_all_after(self.server.store, act, details, who=f"user:{person.user_id}",
                             review_session_id=session_id, source=current_source())  # fmt: skip

        return record_all

    def _write(
        self, person: Person, verb: str, session_id: str, fields: Mapping[str, Any], base: str
    ) -> Any:
        writes = DeskWrites(self.server.ctx.execute, person.user_id, self.recorder(person),
                            self._all_recorder(person))  # fmt: skip
        invitations = Invitations(self.server, person.user_id, base)
        actions: Dict[str, Callable[[], Any]] = {
            "private": lambda: writes.set_private(session_id, fields.get("private")),
            "add": lambda: _added(*writes.add(session_id, fields.get("version_ids"))),
            "remove": lambda: ({}, writes.remove(session_id, fields.get("object_ids"))),
            "order": lambda: writes.order(session_id, fields.get("object_ids")),
            "rename": lambda: writes.rename(session_id, fields),
            "open": lambda: writes.set_open(session_id, fields.get("open")),
            "invite": lambda: invitations.invite(session_id, fields.get("people")),
            "send": lambda: invitations.send(session_id, fields.get("invitee_id")),
            "invitee_link": lambda: invitations.copy(session_id, fields.get("invitee_id")),
            "rules": lambda: writes.set_rules(session_id, fields),
            "revoke": lambda: {"revoked_at": writes.revoke(session_id, fields.get("invitee_id"))},
        }
        action = actions.get(verb)
        if action is None:
            raise BadInput(f"The desk cannot {verb[:40]!r} a session.", 404)
        if verb not in READ_THEIR_SESSION and self.reads(person).session_row(session_id) is None:
            raise BadInput(NO_SESSION, 404)
        done = action()
        if verb in READ_THEIR_SESSION:  # answered with what the write knows (write_views)
            said, read = done
            return self._dressed(person, session_id, read, around=False) | said
        after = self._session(person, session_id, around=False)
        return after | (done if isinstance(done, dict) else {})

    def _link(self, person: Person, session_id: str, base_url: str) -> str:
        op: JsonObject = {
            "action": "get_widget_url",
            "name": "review_session",
            "entity_type": "ReviewSession",
            "entity_key": [session_id],
        }
        return widget_url(self.server.ctx, op, Caller(person.user_id, base_url))["widget_url"]

    # -- the routes -----------------------------------------------------------------------------
    async def _person(self, request: Request) -> Optional[Person]:
        return await run_in_threadpool(current_person, request)

    async def api(
        self, request: Request, work: Callable[[Person], Any], status: int = 200
    ) -> Response:
        """Run ``work`` for the signed-in person (a ``POST`` with its CSRF token) as JSON."""
        return await self.posted(request, lambda person, _fields: work(person), status, False)

    async def posted(
        self,
        request: Request,
        work: Callable[[Person, Dict[str, Any]], Any],
        status: int = 200,
        body: bool = True,
    ) -> Response:
        """:meth:`api` with the request's JSON body (read once the sign-in and its CSRF token
        passed: a stranger's body is never read)."""
        person = await self._person(request)
        try:
            if person is None:
                raise BadInput("You are not signed in (or your sign-in ended); sign in at /.", 403)
            if request.method == "POST":
                require_csrf(request)
            set_source(peer_address(request.scope))  # the trail's source of what it writes
            fields = await _fields(request) if body else {}
            return _reply(await run_in_threadpool(work, person, fields), status)
        except ServerError as exc:
            if is_unreachable(exc):  # an outage: the app's 503 (a page for browsers)
                raise
            return _reply({"error": exc.message}, exc.status)

    async def posted_file(
        self,
        request: Request,
        allowed: Callable[[Person], None],
        body_of: Callable[[], Awaitable[bytes]],
        work: Callable[[Person, bytes], Any],
        status: int = 200,
    ) -> Response:
        """:meth:`posted` with a file as the body (``body_of`` reads it within its limit), read
        only once the sign-in, its CSRF token and ``allowed(person)`` passed."""
        person = await self._person(request)
        try:
            if person is None:
                raise BadInput("You are not signed in (or your sign-in ended); sign in at /.", 403)
            require_csrf(request)
            set_source(peer_address(request.scope))
            await run_in_threadpool(allowed, person)
            body = await body_of()
            return _reply(await run_in_threadpool(work, person, body), status)
        except ServerError as exc:
            if is_unreachable(exc):
                raise
            return _reply({"error": exc.message}, exc.status)

    async def html(self, request: Request, render: Callable[[Person], Response]) -> Response:
        person = await self._person(request)
        if person is None:
            return RedirectResponse("/", status_code=303, headers=pages.HEADERS)
        try:
            return await run_in_threadpool(render, person)
        except ServerError as exc:
            if is_unreachable(exc):
                raise
            return pages.refused(
                "Not found" if exc.status == 404 else "Refused",
                exc.message,
                person.username,
                csrf_token_for(person),
                exc.status,
            )

    async def to_home(self, request: Request) -> Response:
        return RedirectResponse("/desk/", status_code=308)

    async def home(self, request: Request) -> Response:
        def render(person: Person) -> Response:
            listed = self._projects(person, request.query_params)
            return pages.home(listed, person.username, csrf_token_for(person))

        return await self.html(request, render)

    async def project(self, request: Request) -> Response:
        def render(person: Person) -> Response:
            project_id = _id(request.path_params["project_id"], "project")
            reads = self.reads(person)
            project = reads.project(project_id)
            if project is None:
                raise BadInput("No such project.", 404)
            name = project.get("full_name") or project.get("name") or ""
            return pages.project(f"{name}: review sessions", project, self.lists.page(project_id),
                                 person.username, csrf_token_for(person))  # fmt: skip

        return await self.html(request, render)

    async def session(self, request: Request) -> Response:
        def render(person: Person) -> Response:
            session_id = _id(request.path_params["session_id"], "review session")
            found = self._session(person, session_id, pages.FIRST_ITEMS)
            return pages.session(found, person.username, csrf_token_for(person))

        return await self.html(request, render)

    async def export(self, request: Request) -> Response:
        def render(person: Person) -> Response:
            session_id = _id(request.path_params["session_id"], "review session")
            found = self.reads(person).session_row(session_id)
            if found is None:
                raise BadInput(NO_SESSION, 404)
            text = export_csv(self.reads(person), session_id)
            named = download_name(found["name"], ".csv")
            headers = dict(NO_STORE, **{"Content-Disposition": named})
            return Response(text, media_type="text/csv; charset=utf-8", headers=headers)

        return await self.html(request, render)

    async def static(self, request: Request) -> Response:
        name = str(request.path_params["name"])
        if name not in STATIC:
            return _reply({"error": "No such file."}, 404)
        return FileResponse(
            pages.WEB_DIR / name, media_type=STATIC[name], headers={"Cache-Control": "no-cache"}
        )

    async def session_json(self, request: Request) -> Response:
        session_id = str(request.path_params["session_id"])
        return await self.api(
            request, lambda p: self._session(p, _id(session_id, "review session"))
        )

    async def sessions_json(self, request: Request) -> Response:
        """The sessions the home page lists, as they are now; ``?project=P&offset=&limit=``: a
        page of that project's sessions, newest first, with its ``total`` and the ``next``
        page's offset; or (``?ids=A,B``, at most :data:`MOST_FOLLOWED`) those sessions only:
        the pages redraw their badges from it."""
        query = request.query_params
        project = query.get("project")
        asked = query.get("ids")
        ids = [_id(i, "review session") for i in asked.split(",")[:MOST_FOLLOWED]] if asked else []

        def work(person: Person) -> Any:
            if ids:
                return {"sessions": self.reads(person).sessions_by_id(ids)}
            if project:
                offset, limit = _number(query, "offset", 0), _number(query, "limit", PAGE)
                return self.lists.page(_id(project, "project"), offset, limit)
            listed = self._projects(person, query)["projects"]  # the home's page (?offset=&find=)
            return {"sessions": [s for p in listed for s in p["sessions"]]}

        return await self.api(request, work)

    async def versions(self, request: Request) -> Response:
        project_id = str(request.path_params["project_id"])
        query = dict(request.query_params)
        return await self.api(
            request, lambda p: {"versions": self._versions(p, _id(project_id, "project"), query)}
        )

    async def audit(self, request: Request) -> Response:
        session_id = str(request.path_params["session_id"])
        query = {k: v[:300] for k, v in request.query_params.items()}
        return await self.api(
            request, lambda p: self._audit(p, _id(session_id, "review session"), query)
        )

    async def audit_csv(self, request: Request) -> Response:
        """The trail's sentences (as filtered) as CSV, named after the session."""

        def render(person: Person) -> Response:
            session_id = _id(request.path_params["session_id"], "review session")
            found = self.reads(person).session_row(session_id)
            if found is None:
                raise BadInput(NO_SESSION, 404)
            query = {k: v[:300] for k, v in request.query_params.items()}
            rows = self._audit(person, session_id, query)["entries"]
            named = download_name(f"{found['name']} audit trail", ".csv")
            headers = dict(NO_STORE, **{"Content-Disposition": named})
            return Response(audit_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)

        return await self.html(request, render)

    async def link(self, request: Request) -> Response:
        session_id = str(request.path_params["session_id"])
        base = str(request.base_url)
        return await self.api(
            request, lambda p: {"url": self._link(p, _id(session_id, "review session"), base)}
        )

    async def create(self, request: Request) -> Response:
        project_id = str(request.path_params["project_id"])

        def work(person: Person, fields: Dict[str, Any]) -> Any:
            writes = DeskWrites(self.server.ctx.execute, person.user_id)
            return {"id": writes.create_session(_id(project_id, "project"), fields)}

        return await self.posted(request, work, 201)

    async def write(self, request: Request) -> Response:
        session_id, verb = str(request.path_params["session_id"]), str(request.path_params["verb"])
        base = str(request.base_url)
        return await self.posted(
            request,
            lambda p, fields: self._write(p, verb, _id(session_id, "review session"), fields, base),
        )

    def routes(self) -> List[BaseRoute]:
        api = "/desk/api"
        return [
            Route("/desk/", self.home, methods=["GET"]),
            Route("/desk", self.to_home, methods=["GET"]),
            Route("/desk/project/{project_id}", self.project, methods=["GET"]),
            Route("/desk/session/{session_id}", self.session, methods=["GET"]),
            Route("/desk/session/{session_id}/export.csv", self.export, methods=["GET"]),
            Route("/desk/session/{session_id}/audit.csv", self.audit_csv, methods=["GET"]),
            Route("/desk/static/{name}", self.static, methods=["GET", "HEAD"]),
            Route(api + "/sessions", self.sessions_json, methods=["GET"]),
            Route(api + "/session/{session_id}", self.session_json, methods=["GET"]),
            Route(api + "/project/{project_id}/versions", self.versions, methods=["GET"]),
            Route(api + "/project/{project_id}/sessions", self.create, methods=["POST"]),
            Route(api + "/session/{session_id}/audit", self.audit, methods=["GET"]),
            Route(api + "/session/{session_id}/link", self.link, methods=["POST"]),
            Route(api + "/session/{session_id}/{verb}", self.write, methods=["POST"]),
        ]


def routes(server: EmbeddedServer) -> List[BaseRoute]:
    """The desk's routes for ``server``."""
    desk = DeskRoutes(server)
    return CutUpload(desk).routes() + desk.routes() + MailSetting(desk).routes()
