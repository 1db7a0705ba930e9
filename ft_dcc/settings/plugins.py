"""Plugins own their settings: a document's ``plugins`` section, as AYON's ``apply_settings``.

``{"plugins": {"ValidateReviewComment": {"min_length": 10, "optional": true},
"CollectSkipWitnessCameras": {"enabled": false}}}`` sets class attributes of ft_dcc's and the
studio's pyblish plugins before a publish runs: ``enabled`` false leaves the plugin out, any
other name is an attribute the plugin declares. A document holds only JSON values here; which
plugins and attributes exist is checked by ``ft-dcc settings check``/``push``
(:func:`check_declared`), where the plugins are discovered as a publish discovers them.
"""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from ft_dcc.exceptions import SettingsError

#: plugin class name -> attribute -> value (JSON)
PluginSettings = Dict[str, Dict[str, Any]]

ENABLED = "enabled"
#: what pyblish itself reads of a plugin class besides its own attributes
PYBLISH_ATTRIBUTES = ("active", "optional", "order", "label", "families", "hosts", "targets")
#: ft_dcc's own plugins, found without importing the pipeline (settings never import it)
OWN_PLUGINS = Path(__file__).resolve().parents[1] / "publish" / "plugins"


def parse(value: object, where: str) -> PluginSettings:
    """The ``plugins`` section of a document, checked for shape: ``{Class: {attribute: value}}``
    (JSON values; ``enabled`` a true/false)."""
    if not isinstance(value, dict):
        raise SettingsError(
            f"{where}: 'plugins' must be an object of plugin class name: {{attribute: value}}",
            hint='e.g. "plugins": {"ValidateSceneSaved": {"enabled": false}}',
        )
    checked: PluginSettings = {}
    for name, attributes in value.items():
        if not isinstance(attributes, dict) or not all(isinstance(a, str) for a in attributes):
            raise SettingsError(
                f"{where}: plugins.{name} must be an object of attribute: value, "
                f"got {attributes!r}",
                hint=f'e.g. "plugins": {{"{name}": {{"enabled": false}}}}',
            )
        if not isinstance(attributes.get(ENABLED, True), bool):
            raise SettingsError(
                f"{where}: plugins.{name}.enabled is {attributes[ENABLED]!r}, not true or false"
            )
        checked[str(name)] = dict(attributes)
    return checked


def merged(layers: Iterable[Mapping[str, Mapping[str, Any]]]) -> PluginSettings:
    """The layers' plugin settings laid on each other, lowest first, attribute by attribute."""
    out: PluginSettings = {}
    for layer in layers:
        for name, attributes in layer.items():
            out.setdefault(name, {}).update(attributes)
    return out


def declared(plugin: type) -> List[str]:
    """The attributes a plugin class declares (its own and pyblish's), ``enabled`` too."""
    names = {
        name
        for klass in inspect.getmro(plugin)
        for name, value in vars(klass).items()
        if not name.startswith("_") and not callable(value) and not isinstance(value, property)
    }
    return sorted(names | set(PYBLISH_ATTRIBUTES) | {ENABLED})


def check_declared(
    settings: Mapping[str, Mapping[str, Any]], where: str, plugins: Optional[Sequence[type]] = None
) -> None:
    """Refuse a plugin no publish would load, or an attribute its plugin does not declare,
    naming the nearest (``plugins``: default, the ones a publish discovers: ft_dcc's and
    ``PYBLISHPLUGINPATH``'s)."""
    found = {plugin.__name__: plugin for plugin in (plugins or discover())}
    for name, attributes in settings.items():
        plugin = found.get(name)
        if plugin is None:
            raise SettingsError(
                f"{where}: plugins.{name}: no publish plugin is called {name!r}",
                hint=_nearest(name, list(found))
                + " (a studio's plugin is found on PYBLISHPLUGINPATH: set it as the artists' is)",
            )
        known = declared(plugin)
        for attribute in attributes:
            if attribute not in known:
                raise SettingsError(
                    f"{where}: plugins.{name}.{attribute}: {name} has no attribute {attribute!r}",
                    hint=_nearest(attribute, known),
                )


def _nearest(name: str, names: List[str]) -> str:
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return f"did you mean {near[0]!r}?" if near else f"use one of {', '.join(sorted(names))}"


def discover() -> List[type]:
    """The plugins a publish would run: ft_dcc's own and those on ``PYBLISHPLUGINPATH``."""
    import pyblish.api

    paths = [str(OWN_PLUGINS), *pyblish.api.environment_paths()]
    return list(pyblish.api.discover(paths=paths))


def apply(plugins: Sequence[type], settings: Mapping[str, Mapping[str, Any]]) -> List[type]:
    """``plugins`` with their settings: a subclass per configured plugin carrying its values
    (the discovered or registered class itself is never changed), those ``enabled`` false
    left out."""
    out: List[type] = []
    for plugin in plugins:
        attributes = dict(settings.get(plugin.__name__) or {})
        if attributes.pop(ENABLED, True) is False:
            continue
        if attributes:
            own = {"__module__": plugin.__module__, "__doc__": plugin.__doc__}
            plugin = type(plugin.__name__, (plugin,), dict(own, **attributes))
        out.append(plugin)
    return out
