"""The JSON records the file store writes and signs, as typed dicts (their keys are fixed).

:class:`FileInfo` is a stored file's sidecar, :class:`UploadRecord` a multipart upload's
``upload.json`` and :class:`TokenClaims` what a signed token (upload, download or widget link)
carries. Each is written by this server only, so reading it back needs no checking beyond the
signature or the file being ours.
"""

from __future__ import annotations

from typing import List, Optional, TypedDict, Union

from ft_dcc.protocol.json_value import JsonValue


class FileInfo(TypedDict, total=False):
    """The sidecar of a stored file (``<component_id>.json``)."""

    component_id: str
    file_name: str
    size: int
    md5: str
    content_type: str


class StoredFile(TypedDict):
    """What storing a file (or one part of a multipart upload) answers: its size and MD5."""

    size: int
    md5: str


class UploadRecord(TypedDict):
    """A multipart upload in progress (``.incoming/<upload_id>/upload.json``)."""

    component_id: str
    file_name: str
    file_size: Optional[int]
    parts: int
    part_size: int
    expires: int


class TokenClaims(TypedDict, total=False):
    """What a signed token carries; ``k`` (its kind) and ``e`` (expiry, epoch seconds) always.

    Upload links: ``c`` component id, ``s`` size, ``m`` MD5, ``n`` file name, and for a part
    ``u`` upload id and ``p`` part number. Download links: ``c`` and ``u`` the user id.
    Widget links: ``w`` widget, ``t`` theme, ``et``/``ek`` entity type and key, ``u`` user id.
    """

    k: str
    e: int
    c: str
    s: Optional[int]
    m: Optional[str]
    n: str
    u: str
    p: int
    w: str
    t: str
    et: Optional[str]
    ek: Union[JsonValue, List[JsonValue]]
