"""Short-lived signed download URLs: an API key never stays in a URL.

``/component/get`` and ``/component/thumbnail`` are opened by the genuine client (and pasted
into browsers) with ``?username=&apiKey=`` in the URL, as ftrack's ``ServerLocation`` makes
them. The server answers such a request at once with a redirect (307) to the same route with
``?id=&token=`` instead: a token signed by the server for that component and that user, valid
for :data:`DOWNLOAD_URL_TTL` seconds, the shape of ftrack's own ``get_component_url`` (a
presigned URL). So the key leaves the address bar, the history and every ``Referer`` at once.
"""

from __future__ import annotations

from typing import Dict, Optional
from urllib.parse import urlencode

from ft_dcc.protocol import DEFAULT_THUMBNAIL_PATH
from ft_dcc.server.files.filestore import FileStore, FileStoreError

#: How long a signed download URL works, in seconds.
DOWNLOAD_URL_TTL = 300
#: How long a URL from ``generate_signed_url`` works (it is printed for a person to open).
SIGNED_URL_TTL = 3600
KIND = "download"


def signed_download_url(
    files: FileStore,
    path: str,
    component_id: str,
    user_id: str,
    size: Optional[str] = None,
    ttl: int = DOWNLOAD_URL_TTL,
) -> str:
    """The relative URL of ``path`` (``/component/get``...) for ``component_id``, signed for
    ``user_id`` for ``ttl`` seconds (``size``: a thumbnail's size, kept in the URL)."""
    token = files.sign_token({"c": component_id, "u": user_id}, ttl, KIND)
    query: Dict[str, str] = {"id": component_id, "token": token}
    if size is not None:
        query["size"] = size
    return f"{path}?{urlencode(query)}"


def download_user(files: FileStore, token: str, component_id: str) -> str:
    """The user a signed download ``token`` was made for, if it is valid for ``component_id``;
    else :class:`FileStoreError` (403) saying what to do."""
    try:
        payload = files.unsign_token(token, KIND)
    except FileStoreError:
        raise FileStoreError(
            "This download link is not valid or has expired; open the component again with "
            "your API key and the server makes a new link.",
            403,
            "PermissionError",
        ) from None
    user_id = payload.get("u")
    if payload.get("c") != component_id or not isinstance(user_id, str):
        raise FileStoreError(
            "This download link is for another component; ask for a new link.",
            403,
            "PermissionError",
        )
    return user_id


#: the routes of the computed URL attributes (``thumbnail_url``, ``ComponentLocation.url``)
_URL_ROUTES = ("/component/thumbnail", "/component/get")


def _signed_attribute(
    files: FileStore, value: Dict[str, object], base_url: str, user_id: str
) -> None:
    """``value`` (``{"url": "/component/...?id=X", "value": X}``) made absolute and signed."""
    url = value.get("url")
    if not isinstance(url, str):
        return
    if url == DEFAULT_THUMBNAIL_PATH and value.get("value") is None:
        value["url"] = base_url + url  # a public image: absolute, nothing to sign
        return
    path, _, query = url.partition("?id=")
    if path not in _URL_ROUTES or not query or "&" in query:
        return
    value["url"] = base_url + signed_download_url(files, path, query, user_id, ttl=SIGNED_URL_TTL)


def sign_url_attributes(files: FileStore, data: object, base_url: str, user_id: str) -> None:
    """Make every computed URL attribute in ``data`` (a reply's entities) what ftrack answers:
    an absolute URL that a plain GET opens without API headers, signed for ``user_id`` and
    expiring after :data:`SIGNED_URL_TTL` seconds, as ``generate_signed_url``'s. ftrack's own
    thumbnail widget passes ``thumbnail_url["url"]`` straight to ``urlopen``."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "url" in item and "value" in item and len(item) == 2:
                _signed_attribute(files, item, base_url, user_id)
                continue
            stack.extend(v for v in item.values() if isinstance(v, (list, dict)))
