"""The desk's cut upload: the editor's cut (a CMX 3600 EDL, an OpenTimelineIO file or an FCP 7
XML) made a review session in cut order on a project's page, or applied to a session made from a
cut as its next revision -- with the CLI's own code (:mod:`ft_dcc.cut`: ``ft-dcc review create
--from-cut`` and ``ft-dcc review cut``), written through the server's ``/api`` batch as the
signed-in person, in one batch (nothing half-made).

``POST /desk/api/project/<id>/cut?name=&pick=latest|approved&rate=&file=<name>`` and ``POST
/desk/api/session/<id>/cut?pick=&repick=1&rate=&file=<name>`` (``rate``: an EDL's frame rate,
24 unless given), the body the file itself (at most
:data:`MAX_CUT` bytes: refused with 413 before it is read whole, by the app's body limit), with
the sign-in's CSRF token. Only those who manage the project's review sessions (its Supervisors
and Project Managers, administrators: ``rules.review_rights``) or the session may; the person and
the token are checked before the body is read. The answer names what the cut reported: each
event left out, each gap (its record timecodes), each overlap, each shot removed.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.cut import apply as cuts
from ft_dcc.cut.match import LATEST, PICKS
from ft_dcc.cut.read import ADAPTERS, RATE_HINT, RATES, Cut, read_cut
from ft_dcc.exceptions import ConfigurationError, CutError
from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.protocol.query_text import quote
from ft_dcc.protocol.review_status import (
    STUDIO_SETTING_GROUP,
    STUDIO_SETTING_NAME,
    status_settings,
)
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.desk.cut_batch import CutBatch
from ft_dcc.server.desk.reads import DeskReads
from ft_dcc.server.desk.writes import DeskWrites, Record, item_detail, update_op
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.bodies import read_limited_body
from ft_dcc.server.rules.review_rights import managed_project_ids
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin import Person


class Desk(Protocol):
    """What the cut routes use of the desk's routes (``routes.DeskRoutes``), which mount them:
    named here so this module does not import the one that imports it."""

    server: EmbeddedServer

    def reads(self, person: Person) -> DeskReads: ...

    def manages(self, person: Person, session_id: str) -> bool: ...

    def recorder(self, person: Person) -> Record: ...

    def _session(self, person: Person, session_id: str, first: Optional[int] = None,
                 around: bool = True) -> Dict[str, Any]: ...  # fmt: skip

    async def posted_file(self, request: Request, allowed: Callable[[Person], None],
                          body_of: Callable[[], Awaitable[bytes]],
                          work: Callable[[Person, bytes], Any], status: int = 200) -> Response:
        ...  # fmt: skip


log = logging.getLogger(__name__)

#: the largest cut file the desk takes (a cut of a few thousand events)
MAX_CUT = 4 * 1024 * 1024
#: where a project's cut rule is when no settings document names one
SHOT_FROM = {"cut.shot_from": "clip_name"}
NOT_MANAGER = (
    "Only those who manage this project's review sessions (its Supervisors and Project "
    "Managers, an administrator) may make one from a cut; ask one of them."
)
NOT_SESSION_MANAGER = (
    "Only those who manage this review session (its creator, a Supervisor or Project Manager of "
    "its project, an administrator) may apply a cut to it; ask one of them."
)


def checked_id(value: object, what: str) -> str:
    try:
        return check_component_id(value)
    except FileStoreError:
        raise BadInput(f"That is not the id of a {what}; pick one from the desk.", 404) from None


def _file_name(query: Mapping[str, str]) -> str:
    name = Path(str(query.get("file") or "")[:200]).name
    if Path(name).suffix.lower() not in ADAPTERS:
        raise BadInput("Upload a cut: a CMX 3600 EDL (.edl), an OpenTimelineIO file (.otio) or "
                       "an FCP 7 XML (.xml).", 415)  # fmt: skip
    return name


def _pick(query: Mapping[str, str]) -> str:
    pick = query.get("pick") or LATEST
    if pick not in PICKS:
        raise BadInput(f"Pick each shot's version by one of: {', '.join(PICKS)}.")
    return pick


def _rate(query: Mapping[str, str]) -> Optional[float]:
    """The EDL's frame rate the person gave (``rate``, frames per second; none: 24), or
    :class:`BadInput` when it is no frame rate (an EDL carries none)."""
    given = (query.get("rate") or "").strip()
    if not given:
        return None
    try:
        rate = float(given)
    except ValueError:
        rate = float("nan")
    if not RATES[0] <= rate <= RATES[1]:  # NaN and the infinities too
        raise BadInput(f"{given[:20]!r} is not a frame rate: {RATE_HINT}.")
    return rate


def read_upload(body: bytes, file_name: str, rate: Optional[float] = None) -> Cut:
    """The cut in ``body`` (a file named ``file_name``; an EDL read at ``rate``, 24 unless
    given), or :class:`BadInput` saying why not: read by OpenTimelineIO from a file of its own,
    gone after."""
    if b"<!ENTITY" in body or b"<!entity" in body:  # an XML bomb's or an outside file's door
        raise BadInput(f"{file_name}: a cut declares no XML entities; export it again.")
    with tempfile.TemporaryDirectory(prefix="ft-dcc-cut-") as folder:
        path = Path(folder) / file_name
        path.write_bytes(body)
        try:
            return read_cut(path, rate)
        except CutError as error:
            raise _refused(error) from None
        except ConfigurationError as error:
            raise BadInput(f"This server cannot read cuts: {error.message} ({error.hint}).",
                           503) from None  # fmt: skip
        except RecursionError:
            raise BadInput(f"{file_name}: nested too deep to be a cut.") from None


def _refused(error: CutError) -> BadInput:
    """The cut's own error, its hint a sentence of its own (the desk's strict is no flag)."""
    hint = error.hint.replace(" --strict", " strict")
    return BadInput(f"{error.message}. {hint[:1].upper()}{hint[1:]}." if hint else error.message)


def shot_from(ask: Any, project_id: str) -> str:
    """The project's ``cut.shot_from``: its settings document over the studio's (as ``ft-dcc
    settings push`` stored them), ``clip_name`` when neither names it."""
    studio, project = ask([
        "select value from Setting "
        f"where group is {quote(STUDIO_SETTING_GROUP)} and name is {quote(STUDIO_SETTING_NAME)}",
        "select value from Metadata "
        f"where parent_id is {quote(project_id)} and key is {quote(PROJECT_SETTINGS_KEY)}",
    ])  # fmt: skip
    values = status_settings([r.get("value") for r in studio + project], SHOT_FROM)
    return str(values["cut.shot_from"] or "clip_name")


def reported(report: cuts.CutReport) -> Dict[str, Any]:
    """What the page shows of a cut: the report's JSON and one line per problem."""
    lines = report.problems() + [f"removed: {shot} (cut out)" for shot in report.removed]
    return dict(report.as_json(), lines=lines)


class CutUpload:
    """The cut routes of the desk (``desk``: its :class:`~.routes.DeskRoutes`)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # -- the work (in a thread) -----------------------------------------------------------------
    def _manages_project(self, person: Person, project_id: str) -> bool:
        store = self.desk.server.store
        with store.engine.connect() as connection:
            managed = managed_project_ids(connection, store, person.user_id)
        return managed is None or project_id in managed

    def _report(self, batch: CutBatch, project: Mapping[str, Any], cut: Cut, pick: str,
                name: str, revision: int, strict: bool) -> cuts.CutReport:  # fmt: skip
        rule = shot_from(batch._ask, str(project["id"]))
        try:
            report = cuts.matched_or_refused(batch, project, cut, rule, pick, name, revision)
            cuts.refuse_when_strict(report, strict)
        except CutError as error:
            raise _refused(error) from None
        return report

    def create(self, person: Person, project_id: str, query: Mapping[str, str],
               body: bytes) -> Dict[str, Any]:  # fmt: skip
        writes = DeskWrites(self.desk.server.ctx.execute, person.user_id)
        project = writes.reads.project(project_id)
        if project is None:
            raise BadInput("No such project; pick one from the desk.", 404)
        file_name = _file_name(query)
        cut = read_upload(body, file_name, _rate(query))
        fields = {"name": query.get("name"), "private": query.get("private") == "1",
                  "description": cuts.describe(cut, 1)}  # fmt: skip
        session_id, made = writes.session_op(project_id, fields)
        batch = CutBatch(writes.reads.ask)
        report = self._report(batch, project, cut, _pick(query), str(fields["name"]), 1,
                              query.get("strict") == "1")  # fmt: skip
        cuts.write_new_items(batch, session_id, report.items, cut.rate)
        cuts.write_session_row(batch, session_id, cut, file_name, 1, existing={})
        batch.run_with(self.desk.server.ctx.execute, person.user_id, [made])
        log.info("desk: %s made review session %s from the cut %r (%d items)", person.username,
                 session_id, cut.name, len(report.items))  # fmt: skip
        return {"id": session_id, "report": reported(report)}

    def revise(self, person: Person, session_id: str, query: Mapping[str, str],
               body: bytes) -> Dict[str, Any]:  # fmt: skip
        reads = self.desk.reads(person)
        found = reads.session_row(session_id)
        if found is None:
            raise BadInput("No such review session; it may have been deleted.", 404)
        if not found.get("is_open"):
            raise BadInput("This session is closed: reopen it, then apply the cut.", 409)
        file_name = _file_name(query)
        cut = read_upload(body, file_name, _rate(query))
        batch = CutBatch(reads.ask)
        before = reads.items(session_id)
        revision = cuts.revision_of(batch, session_id) + 1
        if revision == 1:
            raise BadInput("This session was not made from a cut: make one from the cut on the "
                           "project's page.", 409)  # fmt: skip
        project = reads.project(str(found["project_id"])) or {"id": found["project_id"],
                                                              "name": ""}  # fmt: skip
        report = self._report(batch, project, cut, _pick(query), str(found["name"]), revision,
                              query.get("strict") == "1")  # fmt: skip
        removed, kept = cuts.apply_revision(batch, {"id": session_id}, report.items, cut,
                                            file_name, revision,
                                            repick=query.get("repick") == "1")  # fmt: skip
        described = update_op("ReviewSession", [session_id],
                              {"description": cuts.describe(cut, revision)})  # fmt: skip
        batch.operations.append(described)
        batch.run_with(self.desk.server.ctx.execute, person.user_id)
        self._audit(person, session_id, before)
        done = cuts.CutReport(report.session, revision, report.rate, report.items,
                              report.unmatched, report.gaps, report.overlaps, tuple(removed),
                              kept)  # fmt: skip
        after = self.desk._session(person, session_id, around=False)
        return dict(after, report=reported(done))

    def _audit(self, person: Person, session_id: str, before: List[Dict[str, Any]]) -> None:
        """The revision in the session's trail, as the desk's own edits are: each version added
        and removed (``before``: the items before it), and the new order."""
        record = self.desk.recorder(person)
        after = self.desk.reads(person).items(session_id)
        was = {str(i["id"]) for i in before}
        now = {str(i["id"]) for i in after}
        for item in after:
            if str(item["id"]) not in was:
                record(session_id, "version.added", item_detail(item))
        for item in before:
            if str(item["id"]) not in now:
                record(session_id, "version.removed", item_detail(item))
        order = [str(i["id"]) for i in after]
        kept_before = [str(i["id"]) for i in before if str(i["id"]) in now]
        if kept_before != [i for i in order if i in was]:  # the kept items moved
            record(session_id, "version.moved", {"of": len(order), "order": order})

    # -- the routes -----------------------------------------------------------------------------
    async def _posted(self, request: Request, allowed: Callable[[Person], None],
                      work: Callable[[Person, Dict[str, str], bytes], Any],
                      status: int) -> Response:  # fmt: skip
        """The desk's sign-in and CSRF token, then ``allowed(person)``, then the file (the
        body) read and ``work`` done: a stranger's file is never read."""

        async def body_of() -> bytes:
            body = await read_limited_body(request, MAX_CUT)
            if body is None:
                raise BadInput(f"A cut file is at most {MAX_CUT} bytes; this one is larger.", 413)
            if not body.strip():
                raise BadInput("The cut file is empty: choose the cut's file.")
            return body

        query = {k: v[:300] for k, v in request.query_params.items()}
        return await self.desk.posted_file(
            request, allowed, body_of, lambda person, body: work(person, query, body), status
        )

    async def project(self, request: Request) -> Response:
        given = request.path_params["project_id"]

        def allowed(person: Person) -> None:
            if not self._manages_project(person, checked_id(given, "project")):
                raise BadInput(NOT_MANAGER, 403)

        return await self._posted(
            request, allowed, lambda p, q, b: self.create(p, checked_id(given, "project"), q, b),
            201,
        )

    async def session(self, request: Request) -> Response:
        given = request.path_params["session_id"]

        def allowed(person: Person) -> None:
            if not self.desk.manages(person, checked_id(given, "review session")):
                raise BadInput(NOT_SESSION_MANAGER, 403)

        return await self._posted(
            request, allowed,
            lambda p, q, b: self.revise(p, checked_id(given, "review session"), q, b), 200,
        )  # fmt: skip

    def routes(self) -> List[BaseRoute]:
        return [
            Route("/desk/api/project/{project_id}/cut", self.project, methods=["POST"]),
            Route("/desk/api/session/{session_id}/cut", self.session, methods=["POST"]),
        ]
