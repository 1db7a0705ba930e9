"""The settings' ``plugins`` section (``ft_dcc.settings.plugins``) without a server: its shape
refused with what to write, layers laid on each other attribute by attribute (studio, project,
the matching profiles) with each value's origin, a plugin class never changed by a publish's
values, and undeclared names refused with the nearest."""

from __future__ import annotations

from typing import Any, Dict

import pyblish.api
import pytest

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings import plugins
from ft_dcc.settings.document import parse
from ft_dcc.settings.resolve import Filters, Source, resolve


class ValidateStudioThing(pyblish.api.InstancePlugin):
    order = pyblish.api.ValidatorOrder
    min_length = 3
    words = ["witness"]

    def process(self, instance: Any) -> None:  # pragma: no cover - never run here
        pass


def _doc(plugin_values: Dict[str, Any], **extra: Any) -> Any:
    return parse({"version": 1, "plugins": plugin_values, **extra}, "test")


@pytest.mark.parametrize(
    "section, words",
    [
        ([], "'plugins' must be an object of plugin class name"),
        ({"ValidateStudioThing": 3}, "plugins.ValidateStudioThing must be an object"),
        ({"ValidateStudioThing": {"enabled": "no"}}, "enabled is 'no', not true or false"),
    ],
)
def test_a_malformed_plugins_section_is_refused(section: Any, words: str) -> None:
    with pytest.raises(SettingsError) as refused:
        _doc(section)
    assert words in refused.value.message


def test_layers_are_laid_on_each_other_attribute_by_attribute_with_their_origin() -> None:
    studio = _doc({"ValidateStudioThing": {"min_length": 5, "words": ["a"]}})
    project = _doc(
        {"ValidateStudioThing": {"min_length": 10}},
        profiles=[{"name": "blender", "hosts": ["blender"],
                   "plugins": {"ValidateStudioThing": {"optional": True}}}],
    )  # fmt: skip
    sources = [Source("studio", "studio doc", studio), Source("project", "project doc", project)]
    resolved = resolve(sources, Filters(host="blender"))
    assert resolved.plugins == {
        "ValidateStudioThing": {"min_length": 10, "words": ["a"], "optional": True}
    }
    assert resolved.plugin_origins == {
        "ValidateStudioThing.min_length": "project: project doc",
        "ValidateStudioThing.words": "studio: studio doc",
        "ValidateStudioThing.optional": "profile 'blender' (project doc)",
    }
    assert resolve(sources, Filters(host="maya")).plugins == {
        "ValidateStudioThing": {"min_length": 10, "words": ["a"]}
    }
    assert any(line.endswith("plugins.ValidateStudioThing.min_length = 10")
               for line in resolved.lines())  # fmt: skip


def test_a_publish_runs_a_subclass_with_the_values_and_leaves_out_the_disabled() -> None:
    other = type("CollectOther", (pyblish.api.ContextPlugin,), {"order": 0})
    found = plugins.apply(
        [ValidateStudioThing, other],
        {"ValidateStudioThing": {"min_length": 20}, "CollectOther": {"enabled": False}},
    )
    (configured,) = found
    assert configured.__name__ == "ValidateStudioThing" and configured.min_length == 20
    assert issubclass(configured, ValidateStudioThing)
    assert configured.__module__ == ValidateStudioThing.__module__
    assert ValidateStudioThing.min_length == 3  # the class itself is never changed
    assert plugins.apply([ValidateStudioThing], {}) == [ValidateStudioThing]


def test_an_undeclared_attribute_or_plugin_is_refused_with_the_nearest() -> None:
    known = [ValidateStudioThing]
    plugins.check_declared({"ValidateStudioThing": {"min_length": 4, "optional": True,
                                                    "enabled": False}}, "f", known)  # fmt: skip
    with pytest.raises(SettingsError) as refused:
        plugins.check_declared({"ValidateStudioThing": {"min_lenght": 4}}, "f", known)
    assert "has no attribute 'min_lenght'" in refused.value.message
    assert refused.value.hint == "did you mean 'min_length'?"
    with pytest.raises(SettingsError) as refused:
        plugins.check_declared({"ValidateStudioThin": {"enabled": False}}, "f", known)
    assert "did you mean 'ValidateStudioThing'?" in (refused.value.hint or "")
