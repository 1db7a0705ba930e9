"""The signed URL's door of the authentication layer (:mod:`ft_dcc.server.identity.layer`).

A signed URL grants one narrow purpose: an upload (``PUT /file-upload/<id>?token=``), a download
(``GET /component/get|thumbnail|remove?id=&token=``) or the widget page (``GET /widget?token=``).
Its identity (:attr:`~ft_dcc.server.identity.model.Kind.SIGNED_URL`) keeps the purpose and the
token as presented; the route has the files room check it against what the URL names (its
component: ``FileStore.ticket``, ``download_links.download_user``; the widget's claims), which
refuses a forged or expired one with 403.
"""

from __future__ import annotations

from typing import Optional

from starlette.requests import HTTPConnection

from ft_dcc.server.identity.layer import Reader
from ft_dcc.server.identity.model import DOWNLOAD, UPLOAD, WIDGET, Door, Identity, Kind

#: the purpose of a signed URL, by the start of its path
PURPOSES = (("/file-upload/", UPLOAD), ("/component/", DOWNLOAD), ("/widget", WIDGET))


def purpose_of(conn: HTTPConnection) -> Optional[str]:
    """The purpose of the request's signed URL (``None``: it is not one)."""
    path = conn.scope.get("path", "")
    for prefix, purpose in PURPOSES:
        if path.startswith(prefix):
            return purpose if "token" in conn.query_params else None
    return None


def carries_signed_url(conn: HTTPConnection) -> bool:
    return purpose_of(conn) is not None


def _resolve(conn: HTTPConnection) -> Identity:
    return Identity(Kind.SIGNED_URL, purpose=purpose_of(conn), door=Door.SIGNED_URL,
                    token=conn.query_params.get("token"))  # fmt: skip


#: the signed URL's door
SIGNED_URL_READER = Reader("signed URL", carries_signed_url, _resolve, blocking=False)
