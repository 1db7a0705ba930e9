"""File names from stored data, confined to their folder: the one helper every client room uses.

A name that comes from the server or from a file another program wrote (a component's
``file_type``, a version's label, a note's id, a farm part's frame pattern, a queued
component's name) is never trusted as a path. :func:`confined` turns it into one plain file
name and joins it to its folder, and refuses (:class:`~ft_dcc.exceptions.UnsafePathError`)
anything that would still land outside that folder (a symbolic link in the way, say).

What a sanitised name is, on every OS: ASCII letters, digits, ``_``, ``-`` and ``.`` only
(after Unicode compatibility folding, so full-width dots and slashes, U+FF0E and U+FF0F, are no
way round); no leading ``.`` or ``-`` (no hidden file, no command option, never ``.`` or
``..``), no trailing ``.``; never a Windows device name (``CON``, ``NUL``, ``COM1``, ``LPT9``…
with any extension); at most :data:`MAX_NAME` characters; never empty (a fallback name
instead). A suffix (``.mp4``) is a dot and 1-16 letters or digits, or nothing.

Standard library only (the core runs on Python 3.9 with its four packages).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Union

from ft_dcc.exceptions import UnsafePathError

#: The longest name :func:`safe_name` makes (suffix included), well under every file system's 255.
MAX_NAME = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,16}$")
_DEVICES = re.compile(r"^(con|prn|aux|nul|clock\$|conin\$|conout\$|com[0-9]|lpt[0-9])(\..*)?$",
                      re.IGNORECASE)  # fmt: skip
#: What :func:`confined` with ``keep=True`` refuses in a name it must not rename.
_NOT_PLAIN = re.compile(r"[/\\:\x00-\x1f\x7f]")


def safe_suffix(suffix: object) -> str:
    """``suffix`` (``".mp4"``) when it is a dot and 1-16 ASCII letters or digits, else ``""``."""
    text = unicodedata.normalize("NFKC", str(suffix or ""))
    return text if _SUFFIX.match(text) else ""


def safe_name(name: object, suffix: object = "", fallback: str = "file") -> str:
    """``name`` (text from stored data) as one plain file name, plus :func:`safe_suffix` of
    ``suffix``; ``fallback`` when nothing of ``name`` is left."""
    ending = safe_suffix(suffix)
    text = unicodedata.normalize("NFKC", str(name if name is not None else ""))
    text = _UNSAFE.sub("_", text).lstrip(".-_").rstrip(". _")
    text = re.sub(r"\.{2,}", ".", text)
    text = text[: MAX_NAME - len(ending)].rstrip(". _") or fallback
    if _DEVICES.match(text + ending):
        text = "_" + text
    return text + ending


def _check_plain(name: str) -> str:
    if not name or name in (".", "..") or _NOT_PLAIN.search(name) or len(name) > 255:
        raise UnsafePathError(f"{name[:80]!r} is not a plain file name: it is not used as one")
    return name


def confined(
    folder: Union[str, os.PathLike[str]],
    name: object,
    suffix: object = "",
    *,
    fallback: str = "file",
    keep: bool = False,
) -> Path:
    """``folder / name``, where ``name`` comes from stored data: made a plain file name by
    :func:`safe_name` (with ``suffix`` and ``fallback``), or with ``keep`` used as it is when it
    already is one (a name others must find again: refused otherwise). Raises
    :class:`UnsafePathError` when the result would not be inside ``folder`` (after following
    symbolic links), so nothing is written elsewhere."""
    base = Path(folder)
    plain = _check_plain(str(name) + safe_suffix(suffix)) if keep else safe_name(
        name, suffix, fallback
    )  # fmt: skip
    path = base / plain
    root = os.path.realpath(base)
    if os.path.dirname(os.path.realpath(path)) != root:
        raise UnsafePathError(
            f"{plain!r} would be written outside {base} (a link or another folder is in the "
            "way); nothing was written"
        )
    return path
