"""Nuke is not thread-safe: everything that touches ``nuke`` runs on its main thread.

:func:`on_main_thread` wraps a function so that, called from a worker thread, it runs through
``nuke.executeInMainThreadWithResult`` (Nuke's event loop runs it, the worker waits for the
result or the exception); called on the main thread, it runs directly.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

import nuke

F = TypeVar("F", bound=Callable[..., Any])


def on_main_thread(function: F) -> F:
    """Run ``function`` on Nuke's main thread, whichever thread calls it."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            return function(*args, **kwargs)
        return nuke.executeInMainThreadWithResult(function, args, kwargs)

    return call  # type: ignore[return-value]
