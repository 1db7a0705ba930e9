"""Plugin discovery: import every ``*.py`` under the plugin paths and call its ``register``."""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import uuid
from types import ModuleType
from typing import Callable, Dict, Iterable, List, Mapping, Optional

log = logging.getLogger(__name__)


def plugin_files(paths: Iterable[str]) -> List[str]:
    """Every ``*.py`` file under ``paths`` (recursively), in a stable order."""
    found: List[str] = []
    for path in paths:
        if not path:
            continue
        path = os.path.abspath(os.path.expanduser(path))
        if os.path.isfile(path) and path.endswith(".py"):
            found.append(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs.sort()
            found.extend(os.path.join(root, name) for name in sorted(files) if name.endswith(".py"))
    return found


def discover(
    paths: Iterable[str], session: object, plugin_arguments: Optional[Mapping[str, object]] = None
) -> List[str]:
    """Import each plugin and call ``register(session, **plugin_arguments)``.

    Keyword arguments the plugin's ``register`` does not accept are left out. A plugin that fails
    to import or register is logged with its path and skipped. Returns the registered paths.
    """
    arguments = dict(plugin_arguments or {})
    registered: List[str] = []
    for path in plugin_files(paths):
        try:
            module = _import(path)
        except Exception:
            log.warning("skipping plugin %s: it failed to import", path, exc_info=True)
            continue
        register = getattr(module, "register", None)
        if not callable(register):
            log.debug("skipping %s: it has no register() function", path)
            continue
        try:
            register(session, **_accepted(register, arguments, path))
        except Exception:
            log.warning("skipping plugin %s: its register() failed", path, exc_info=True)
            continue
        registered.append(path)
        log.debug("registered plugin %s", path)
    return registered


def _import(path: str) -> ModuleType:
    name = "ft_dcc_plugin_" + uuid.uuid4().hex
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _accepted(
    register: Callable[..., object], arguments: Dict[str, object], path: str
) -> Dict[str, object]:
    try:
        parameters = inspect.signature(register).parameters
    except (TypeError, ValueError):
        return arguments
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return arguments
    accepted = {k: v for k, v in arguments.items() if k in parameters}
    dropped = sorted(set(arguments) - set(accepted))
    if dropped:
        log.debug("plugin %s does not accept %s; leaving them out", path, dropped)
    return accepted
