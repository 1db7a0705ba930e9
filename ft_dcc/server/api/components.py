"""Routes of stored files: signed uploads and component downloads (with HTTP Range).

- ``PUT /file-upload/<component id>?token=``: signed uploads (see ``files``);
- ``GET /component/get|thumbnail|remove?id=&username=&apiKey=``.
"""

from __future__ import annotations

import logging
from typing import List, Optional, Tuple, Union

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ft_dcc.server.files.encode import sized_thumbnail
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.auth import (
    HEADER_API_KEY,
    HEADER_USER,
    INVALID_CREDENTIALS,
    invalid_credentials_message,
)
from ft_dcc.server.http.responses import ApiJSONResponse, error_response
from ft_dcc.server.rules import permissions
from ft_dcc.server.runtime.embedded import EmbeddedServer

log = logging.getLogger(__name__)


def _parse_size(size_text: str) -> int:
    size = int(size_text)
    if not 1 <= size <= 4096:
        raise ValueError(size_text)
    return size


class ComponentRoutes:
    """Uploads and downloads of one ``EmbeddedServer``'s file store."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.files = server.files

    async def upload(self, request: Request) -> Response:
        try:
            ticket = self.files.ticket(
                request.path_params["component_id"], request.query_params.get("token")
            )
            request.state.auth_ok = True
            result = await self.files.receive(request, ticket)
        except FileStoreError as exc:
            return error_response(exc.exception, exc.message, exc.status)
        except ClientDisconnect:
            log.info("upload of %s aborted by the client", request.path_params["component_id"])
            return error_response(
                "ValidationError", "The upload was interrupted; upload again.", 400
            )
        return ApiJSONResponse(
            {"component_id": ticket.component_id, "size": result["size"]},
            headers={"ETag": f'"{result["md5"]}"'},
        )

    # -- downloads -------------------------------------------------------------------------------
    def _download_user(self, request: Request) -> Optional[str]:
        username = request.query_params.get("username") or request.headers.get(HEADER_USER)
        api_key = request.query_params.get("apiKey") or request.headers.get(HEADER_API_KEY)
        request.state.ftrack_user = username
        user_id = self.server.authenticate(username, api_key)
        request.state.auth_ok = user_id is not None
        return user_id

    @staticmethod
    def _denied(request: Request) -> Response:
        message = invalid_credentials_message(request.state.ftrack_user)
        return error_response(INVALID_CREDENTIALS, message, 401)

    def _requested_component(self, request: Request) -> Union[Tuple[str, str], Response]:
        """The caller's user id and the ``id=`` of a request with valid credentials, else the
        error response."""
        user_id = self._download_user(request)
        if user_id is None:
            return self._denied(request)
        try:
            return user_id, check_component_id(request.query_params.get("id"))
        except FileStoreError as exc:
            return error_response(exc.exception, exc.message, 400)

    def _file_response(self, request: Request, missing_hint: str) -> Response:
        requested = self._requested_component(request)
        if isinstance(requested, Response):
            return requested
        _, component_id = requested
        path = self.files.path_for(component_id)
        if not path.is_file():
            return error_response(
                "NotFoundError", f"No file for component {component_id}. {missing_hint}", 404
            )
        info = self.files.info(component_id)
        return FileResponse(
            path,
            media_type=info.get("content_type") or "application/octet-stream",
            filename=info.get("file_name") or component_id,
            content_disposition_type="inline",
        )

    async def get(self, request: Request) -> Response:
        return self._file_response(request, "Upload it to ftrack.server first.")

    async def thumbnail(self, request: Request) -> Response:
        size_text = request.query_params.get("size")
        if not size_text:
            return self._file_response(request, "Create the thumbnail component first.")
        if self._download_user(request) is None:
            return self._denied(request)
        try:
            component_id = check_component_id(request.query_params.get("id"))
            size = _parse_size(size_text)
        except (FileStoreError, ValueError):
            return error_response(
                "ValidationError", "Give id=<component id> and size=1..4096.", 400
            )
        if not self.files.exists(component_id):
            return error_response("NotFoundError", f"No file for component {component_id}.", 404)
        try:
            path, media_type = await run_in_threadpool(
                sized_thumbnail, self.files, component_id, size
            )
        except RuntimeError as exc:
            return error_response("ValidationError", f"No thumbnail for {component_id}: {exc}", 415)
        return FileResponse(path, media_type=media_type, content_disposition_type="inline")

    async def remove(self, request: Request) -> Response:
        requested = self._requested_component(request)
        if isinstance(requested, Response):
            return requested
        user_id, component_id = requested
        refusal = await run_in_threadpool(
            permissions.may_remove_file, self.server.store, user_id, component_id
        )
        if refusal:
            return error_response(permissions.PERMISSION_ERROR, refusal, 403)
        removed = self.files.remove(component_id)
        return ApiJSONResponse({"component_id": component_id, "removed": removed})


def routes(server: EmbeddedServer) -> List[Route]:
    """The file area's routes for ``server``."""
    area = ComponentRoutes(server)
    return [
        Route("/file-upload/{component_id}", area.upload, methods=["PUT"]),
        Route("/component/get", area.get, methods=["GET", "HEAD"]),
        Route("/component/thumbnail", area.thumbnail, methods=["GET", "HEAD"]),
        Route("/component/remove", area.remove, methods=["GET", "POST"]),
    ]
