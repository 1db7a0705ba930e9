"""The text of a signed token's parts (review links, signed upload and download URLs):
base64url without padding, and read strictly, so that a token has one spelling.

A lenient read (Python's default drops characters outside the alphabet, accepts padding, and
ignores the unused low bits of the last character) let ``tok..``, ``tok=``, ``tok!!!`` or a
changed last character stand for the same token under another name: another key for whatever is
counted per token, another entry in a cache or a log.
"""

from __future__ import annotations

import base64
import string

ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


def b64(data: bytes) -> str:
    """``data`` as base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """The bytes of ``text``, read strictly: nothing outside the base64url alphabet, no padding,
    and ``text`` the one spelling of those bytes; ``ValueError`` for anything else."""
    if not text or not ALPHABET.issuperset(text):
        raise ValueError("not base64url without padding")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64(data) != text:
        raise ValueError("not the one spelling of its bytes")
    return data
