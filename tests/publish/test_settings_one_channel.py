"""Settings reach a publish through one channel: each key a plugin decides with is given to that
plugin's class (``PLUGIN_KEYS``, as AYON's ``apply_settings``), and the request carries only the
artist's choices beside the plugins' settings (and the task's names the settings read found in
ftrack). These fail when a settings-derived field is added to the request, when a module of the
pipeline reads the request's settings itself, or when a key names an attribute its plugin does
not declare with the key's default."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List

import attr

import ft_dcc
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.settings.keys import BY_NAME, PLUGIN_KEYS
from ft_dcc.settings.plugins import discover

PACKAGE = Path(ft_dcc.__file__).resolve().parent

#: the artist's choices (a host's UI or ``ft-dcc publish``'s flags), what the settings give
#: the plugins, and the task's names the settings read found (a fact of ftrack)
REQUEST_FIELDS = {
    "reviewables", "task", "review_session_name", "comment", "frames", "fps", "invitees",
    "addresses", "include_source", "queue_dir", "work_dir", "thumbnail_frame", "still",
    "still_frame", "burnin", "burnin_template", "new_review_session", "repair",
    "settings", "task_names",
}  # fmt: skip

#: the modules that read a request's settings, and why: the one that gives them to the plugin
#: classes, the queue's journal (it records them and builds a queued publish's again) and the
#: farm's submit (which checks a scene outside a publish, through the plugin's class, and the
#: batch's review session name against each task's naming template, as the publish's does)
READERS = {
    "publish/api.py": {"plugins"},
    "publish/offline/flush_decision.py": {"owned", "plugins", "resolution", "scale", "max_size"},
    "farm/rules.py": {"plugins"},
    "farm/plan.py": {"owned"},
}


def test_the_request_holds_the_artists_choices_and_the_plugins_settings_only() -> None:
    assert {field.name for field in attr.fields(PublishRequest)} == REQUEST_FIELDS
    assert [field.name for field in attr.fields(StudioSettings)] == ["plugins"]


def _settings_reads() -> Dict[str, List[str]]:
    """Module (under ft_dcc) -> the names read of ``<request>.settings`` there."""
    found: Dict[str, List[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "server" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {"settings"}  # ``settings = request.settings`` then ``settings.x``
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            value = node.value
            on_request = (
                isinstance(value, ast.Attribute) and value.attr == "settings"
                and _names_request(value.value)
            )  # fmt: skip
            if on_request or (isinstance(value, ast.Name) and value.id in aliases and
                              _is_request_settings_alias(tree, value.id)):  # fmt: skip
                found.setdefault(path.relative_to(PACKAGE).as_posix(), []).append(node.attr)
    return found


def _names_request(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "request") or (
        isinstance(node, ast.Attribute) and node.attr == "request"
    )


def _is_request_settings_alias(tree: ast.AST, name: str) -> bool:
    """Whether ``name`` is assigned a request's ``settings`` in ``tree``."""
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        and isinstance(node.value, ast.Attribute) and node.value.attr == "settings"
        and _names_request(node.value.value)
        for node in ast.walk(tree)
    )  # fmt: skip


def test_no_module_of_the_pipeline_reads_the_requests_settings_itself() -> None:
    reads = _settings_reads()
    assert set(reads) <= set(READERS), reads
    for module, names in reads.items():
        assert set(names) <= READERS[module], (module, names)
    assert not [module for module in reads if module.startswith("publish/plugins/")]


def test_each_key_a_plugin_owns_is_an_attribute_it_declares_with_the_keys_default() -> None:
    """A plugin run without settings decides as the key's default would (a key equal to its
    default is not sent: ``settings_options.plugin_settings``)."""
    found = {plugin.__name__: plugin for plugin in discover()}
    for key, (name, attribute) in PLUGIN_KEYS.items():
        assert name in found, key
        assert attribute in vars(found[name]), (key, name, attribute)
        declared = getattr(found[name], attribute)
        default = BY_NAME[key].default
        assert declared in (default, None), (key, declared, default)  # None: it reads the key's
