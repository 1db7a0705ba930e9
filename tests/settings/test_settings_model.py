"""The settings model without a server: the docs table, precedence of layers and profiles,
validation messages, templates."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.docs import keys_table, with_table
from ft_dcc.settings.document import parse
from ft_dcc.settings.resolve import Filters, Source, resolve
from ft_dcc.settings.templates import review_session_name, task_from_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_table_is_the_declarations() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert keys_table() in text, "run: python -m ft_dcc.settings.docs docs/settings.md"
    assert with_table(text) == text


def source(level: str, data: dict) -> Source:
    return Source(level, f"{level} doc", parse(data, level))


def profile(name: str, value: float, **filters: list) -> dict:
    return {"name": name, "settings": {"capture.scale": value}, **filters}


def test_layers_and_the_most_specific_profile_win() -> None:
    studio = source("studio", {
        "settings": {"capture.scale": 0.9, "encode.quality": 20},
        "profiles": [profile("studio maya anim", 0.3, hosts=["maya"], task_types=["Animation"]),
                     profile("studio maya", 0.2, hosts=["maya"])],
    })  # fmt: skip
    project = source("project", {
        "settings": {"capture.scale": 0.8},
        "profiles": [profile("project maya", 0.4, hosts=["Maya"]),
                     profile("project anim", 0.5, task_types=["animation"])],
    })  # fmt: skip
    plain = resolve([studio, project])
    assert (plain["capture.scale"], plain.level("capture.scale")) == (0.8, "project")
    assert plain.origin("encode.quality") == "studio doc"
    assert plain.level("naming.asset") == "default"
    maya = resolve([studio, project], Filters(host="maya"))
    assert maya["capture.scale"] == 0.4  # equally specific: the project's wins
    both = resolve([studio, project], Filters(host="maya", task_type="Animation"))
    assert both["capture.scale"] == 0.3  # two filters beat one, whichever level
    assert both.origin("capture.scale") == "profile 'studio maya anim' (studio doc)"
    assert both.profiles[-1] == "profile 'studio maya anim' (studio doc)"
    artist = resolve([studio, project], Filters(host="maya"), artist={"capture.scale": 1})
    assert (artist["capture.scale"], artist.level("capture.scale")) == (1.0, "artist")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"settings": {"naming.asst": "x"}}, "did you mean naming.asset?"),
        ({"settings": {"capture.overlays": "yes"}}, "expected boolean, got str 'yes'"),
        ({"settings": {"capture.scale": 9}}, "expected number from 0.1 to 4"),
        ({"settings": {"capture.handles": 1.5}}, "expected integer"),
        ({"settings": {"paths.task_templates": "{project}/{task}"}}, "list of path templates"),
        ({"settings": {"paths.task_templates": ["{project}/{tsk}"]}}, "unknown field {tsk}"),
        ({"settings": {"naming.review_session": "Dailies {date"}}, "not a valid template"),
        ({"profiles": [{"settings": {}}]}, "the profile has no name"),
    ],
)
def test_invalid_documents_are_refused_naming_the_fix(data: dict, says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse(data, "doc")
    assert says in str(caught.value)


def test_templates_fill_and_paths_find_the_task(tmp_path: Path) -> None:
    day = _dt.date(2026, 11, 23)
    assert review_session_name("Dailies {date}", today=day) == "Dailies 2026-11-23"
    assert review_session_name("{project} client wk{week}", "demo", today=day) == "demo client wk48"
    with pytest.raises(SettingsError, match=r"no value for \{project\}"):
        review_session_name("{project} dailies", None, today=day)
    scene = tmp_path / "jobs" / "demo" / "sq010" / "sh010" / "anim" / "work" / "a_v003.ma"
    templates = ["other/{project}/{task}/*", "jobs/{project}/{sequence}/{shot}/{task}/**"]
    assert task_from_path(templates, scene) == "demo/sq010/sh010/anim"
    with pytest.raises(SettingsError, match="matches no path template"):
        task_from_path(templates, tmp_path / "elsewhere.ma")
