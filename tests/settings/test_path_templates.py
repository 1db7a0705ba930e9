"""A path template that starts with a field (``{project}/…``) matched the path's first folders,
so a scene under /tmp/… gave the project "tmp". The rule: the template may match at any folder
of the path; with the server's project names given, the first match (from the left) naming an
existing project wins; without them, the first match."""

from __future__ import annotations

import pytest

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.templates import task_from_path

TEMPLATE = "{project}/{sequence}/{shot}/{task}/**"
SCENE = "/tmp/studio/jobs/tiger/sq010/sh020/anim/work/v003.blend"


def test_a_leading_field_template_finds_the_existing_project_deeper_in_the_path():
    found = task_from_path([TEMPLATE], SCENE, projects={"tiger", "lion"})
    assert found == "tiger/sq010/sh020/anim"


def test_without_known_projects_the_first_match_is_kept_and_none_known_is_refused():
    assert task_from_path([TEMPLATE], SCENE) == "tmp/studio/jobs/tiger"
    with pytest.raises(SettingsError, match="names no project on the server"):
        task_from_path([TEMPLATE], SCENE, projects={"zebra"})
