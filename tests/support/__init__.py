"""Helpers that several test packages share: one place instead of a copy per package.

``tests/`` is on ``sys.path`` in every run (pytest's default "prepend" import mode puts the
folder of the root ``tests/conftest.py`` there), so every test module imports these as
``from support import ...`` (not ``tests.support``: pyblish-base installs a ``tests`` package).

- :mod:`support.net`: free loopback ports, the test credentials, raw ``/api`` calls.
- :mod:`support.entities`: ``ft_dcc.Session`` / genuine-client sessions, tasks, entity counts.
- :mod:`support.media`: ffmpeg-made frames, real ffprobe checks of published review movies.
"""

from __future__ import annotations

from support.entities import (
    count_entities,
    emptied,
    genuine_sessions,
    make_task,
    metadata_of,
    open_session,
)
from support.media import (
    assert_review_movie,
    download_component,
    ffprobe,
    make_movie,
    make_sequence,
)
from support.net import TEST_KEY, TEST_USER, free_port, post_api

__all__ = [
    "TEST_KEY",
    "TEST_USER",
    "assert_review_movie",
    "count_entities",
    "download_component",
    "emptied",
    "ffprobe",
    "free_port",
    "genuine_sessions",
    "make_movie",
    "make_sequence",
    "make_task",
    "metadata_of",
    "open_session",
    "post_api",
]
