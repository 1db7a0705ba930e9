"""Routes of stored files: signed uploads and component downloads (with HTTP Range).

- ``PUT /file-upload/<component id>?token=``: signed uploads (see ``files``);
- ``GET /component/get|thumbnail?id=`` with the ``ftrack-user``/``ftrack-api-key`` headers, or
  ``?id=&token=`` (a signed download URL); with ``&username=&apiKey=`` in the URL the answer is
  a redirect to a signed URL (see ``files.download_links``): no key stays in a URL. Files are
  served with a type the server decided (``files.served``);
- ``GET /component/remove?id=&username=&apiKey=``.
"""

from __future__ import annotations

import logging
from typing import List, Optional, Tuple, Union

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ft_dcc.protocol import DEFAULT_THUMBNAIL_PATH
from ft_dcc.server.common.errors import ApiOperationError, BadInput, NotFound
from ft_dcc.server.files.download_links import download_user, signed_download_url
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.files.served import FILE_HEADERS, served_type
from ft_dcc.server.files.thumbnails import default_thumbnail, sized_thumbnail
from ft_dcc.server.http.auth import INVALID_CREDENTIALS, invalid_credentials_message
from ft_dcc.server.http.parts import Part
from ft_dcc.server.http.responses import ApiJSONResponse
from ft_dcc.server.identity.layer import identity_of
from ft_dcc.server.identity.model import Door, Identity
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.rules import ownership, permissions
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
        identity = identity_of(request)  # the upload URL's token, checked for its component
        token = identity.token if admits(identity, Area.UPLOAD) else None
        ticket = self.files.ticket(request.path_params["component_id"], token)
        request.state.auth_ok = True
        try:
            result = await self.files.receive(request, ticket)
        except ClientDisconnect:
            log.info("upload of %s aborted by the client", request.path_params["component_id"])
            raise BadInput("The upload was interrupted; upload again.") from None
        return ApiJSONResponse(
            {"component_id": ticket.component_id, "size": result["size"]},
            headers={"ETag": f'"{result["md5"]}"'},
        )

    # -- downloads -------------------------------------------------------------------------------
    def _requested_component(
        self, request: Request, exchange: bool = False
    ) -> Union[Tuple[str, str], Response]:
        """The caller's user id and the ``id=`` of a request the policy lets at a file (an API
        key, or a signed download URL), refused otherwise. With ``exchange``, an API key in the
        URL answers a redirect to a signed URL instead (see ``download_links``)."""
        identity = identity_of(request)
        request.state.ftrack_user = identity.key_user
        if not admits(identity, Area.FILES):
            raise self._denied(request)
        component_id = check_component_id(request.query_params.get("id"))
        user_id = self._holder(identity, component_id)
        if user_id is None:
            raise self._denied(request)
        request.state.auth_ok = True
        if exchange and identity.key_in_url:
            url = signed_download_url(self.files, request.url.path, component_id, user_id,
                                      request.query_params.get("size"))  # fmt: skip
            return RedirectResponse(url, 307, headers={"Cache-Control": "no-store"})
        return user_id, component_id

    def _holder(self, identity: Identity, component_id: str) -> Optional[str]:
        """The User a file request acts as: the key's, or the one a signed download URL for
        ``component_id`` was made for while they are active (a forged or expired one: 403)."""
        if identity.door is not Door.SIGNED_URL:
            return identity.user_id
        user_id = download_user(self.files, identity.token or "", component_id)
        return user_id if permissions.is_active_user(self.server.store, user_id) else None

    @staticmethod
    def _denied(request: Request) -> ApiOperationError:
        message = invalid_credentials_message(getattr(request.state, "ftrack_user", None))
        return ApiOperationError(message, INVALID_CREDENTIALS, status=401)

    def _file_response(self, component_id: str, missing_hint: str) -> Response:
        path = self.files.path_for(component_id)
        if not path.is_file():
            raise NotFound(f"No file for component {component_id}. {missing_hint}")
        info = self.files.info(component_id)
        media_type, inline = served_type(info)
        return FileResponse(
            path,
            media_type=media_type,
            filename=info.get("file_name") or component_id,
            content_disposition_type="inline" if inline else "attachment",
            headers=FILE_HEADERS,
        )

    async def get(self, request: Request) -> Response:
        requested = self._requested_component(request, exchange=True)
        if isinstance(requested, Response):
            return requested
        return self._file_response(requested[1], "Upload it to ftrack.server first.")

    async def thumbnail(self, request: Request) -> Response:
        requested = self._requested_component(request, exchange=True)
        if isinstance(requested, Response):
            return requested
        component_id = requested[1]
        size_text = request.query_params.get("size")
        if not size_text:
            return self._file_response(component_id, "Create the thumbnail component first.")
        try:
            size = _parse_size(size_text)
        except ValueError:
            raise BadInput("Give id=<component id> and size=1..4096.") from None
        if not self.files.exists(component_id):
            raise NotFound(f"No file for component {component_id}.")
        try:
            path, media_type = await run_in_threadpool(
                sized_thumbnail, self.files, component_id, size
            )
        except RuntimeError as exc:
            raise BadInput(f"No thumbnail for {component_id}: {exc}", 415) from None
        return FileResponse(
            path, media_type=media_type, content_disposition_type="inline", headers=FILE_HEADERS
        )

    async def default_thumbnail(self, request: Request) -> Response:
        """ftrack's default thumbnail (the JS client's ``thumbnailUrl()`` without a component)."""
        image = await run_in_threadpool(default_thumbnail)
        return Response(image, media_type="image/png",
                        headers={"cache-control": "public, max-age=86400"})  # fmt: skip

    async def remove(self, request: Request) -> Response:
        requested = self._requested_component(request)
        if isinstance(requested, Response):
            return requested
        user_id, component_id = requested
        refusal = await run_in_threadpool(
            ownership.file_refusal, self.server.store, user_id, component_id, "remove"
        )
        if refusal:
            raise ApiOperationError(refusal, permissions.PERMISSION_ERROR)
        removed = self.files.remove(component_id)
        return ApiJSONResponse({"component_id": component_id, "removed": removed})


#: uploads (as large as the server's ``--max-upload-size``) and downloads
PART = Part(("/file-upload/", "/component/"),
            lambda config: [("/file-upload/", "", config.max_upload_size)])  # fmt: skip


def routes(server: EmbeddedServer) -> List[Route]:
    """The file area's routes for ``server``."""
    area = ComponentRoutes(server)
    return [
        Route("/file-upload/{component_id}", area.upload, methods=["PUT"]),
        Route("/component/get", area.get, methods=["GET", "HEAD"]),
        Route("/component/thumbnail", area.thumbnail, methods=["GET", "HEAD"]),
        Route("/component/remove", area.remove, methods=["GET", "POST"]),
        Route(DEFAULT_THUMBNAIL_PATH, area.default_thumbnail, methods=["GET", "HEAD"]),
    ]
