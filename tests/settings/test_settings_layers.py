"""Every declared key in every layer: a value set in a layer is either refused when its document is
checked or pushed (naming why, nothing stored), or ``settings show`` and the publish's own
resolver (:func:`settings_for_publish`) give the same value, level and origin — and for the keys
the server reads (``review.*``), the server's reading gives it too.

Layers: the studio's and a project's pushed documents, the settings file's ``settings`` and
``projects.<name>``, a profile by host (studio) and by task type (project), a profile by asset
type, and the artist's ``--set``. Commands run in-process (``ft_dcc.cli.main``) against the
module's real embedded server; every request goes over HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import attr
import pytest
from support import make_task, open_session
from support.trust import start_server

from ft_dcc.cli import main
from ft_dcc.exceptions import SettingsError
from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.protocol.review_status import status_settings
from ft_dcc.publish.request.settings_options import parse_assignments, settings_for_publish
from ft_dcc.session.replies import query_entities
from ft_dcc.settings.document import Document
from ft_dcc.settings.keys import KEYS
from ft_dcc.settings.store import STUDIO_QUERY, find_project, push_project, push_studio

TEMPLATE = "jobs/{project}/{sequence}/{shot}/{task}/**"
#: a valid value other than the default, for every declared key
VALUES: Dict[str, Any] = {
    "capture.resolution": "640x360",
    "capture.scale": 0.5,
    "capture.camera": "turntable",
    "capture.frame_range": "shot",
    "capture.handles": 4,
    "capture.shading": "solid",
    "capture.overlays": True,
    "capture.hud": True,
    "encode.quality": 20,
    "encode.max_size": "1280x720",
    "encode.sound": False,
    "encode.still_alpha": "flatten",
    "colour.ocio_config": "ocio://cg-config-latest",
    "colour.display": "sRGB - Display",
    "colour.view": "ACES 1.0 - SDR Video",
    "colour.look": "grade",
    "burnin.mode": "on",
    "burnin.template": "/studio/burnin.json",
    "naming.review_session": "{project} dailies wk{week}",
    "naming.asset": "{shot}_{task}",
    "paths.task_templates": [TEMPLATE],
    "thumbnail.frame": "first",
    "client_review.downloads": "proxy",
    "client_review.watermark": True,
    "client_review.open_days": 7,
    "cut.shot_from": r"_(?P<shot>sh\d+)_",
    "checks.scene_saved": "warn",
    "checks.frame_range": "off",
    "review.status_on_approve": "Requires Changes",
    "review.status_on_changes": "Approved",
    "review.task_status_on_approve": "Completed",
    "review.task_status_on_changes": "In progress",
}
LAYERS = (
    "studio", "project", "studio file", "project file", "host profile", "task type profile",
    "asset type profile", "artist",
)  # fmt: skip
SERVER_READ = tuple(key.name for key in KEYS if key.name.startswith("review."))


def refusal(key: str, layer: str) -> Optional[str]:
    """What the refusal of ``key`` in ``layer`` says (None: it is accepted)."""
    if layer == "asset type profile":
        return "no publish knows its asset type"
    if key in SERVER_READ and layer.endswith("profile"):
        return f"{key} cannot be set in a profile: the ftrack server reads it"
    if key == "paths.task_templates" and layer == "task type profile":
        return "the templates are what find the task"
    if key in SERVER_READ and layer == "artist":
        return f"a publish does not read {key}"
    return None


def test_every_key_is_in_the_table() -> None:
    assert set(VALUES) == {key.name for key in KEYS}


@attr.s(auto_attribs=True)
class World:
    """The module's server, a Compositing task ``<project>/sq010/sh010/comp``, and an
    administrator's session of the test's own (clean slates, reading what is stored)."""

    server: Any
    task: str
    session: Any
    #: what :meth:`stored` reads once both documents are pushed empty
    cleared: Optional[Tuple[Optional[str], Optional[str]]] = None

    @property
    def project(self) -> str:
        return self.task.split("/")[0]

    def clear(self) -> Tuple[Optional[str], Optional[str]]:
        """No studio or project settings stored: each document pushed empty unless it is (a
        test that stored nothing, or in the other one, left it so); what is stored then."""
        stored = self.stored()
        if stored == self.cleared:
            return stored
        if self.cleared is None or stored[0] != self.cleared[0]:
            push_studio(self.session, Document())
        if self.cleared is None or stored[1] != self.cleared[1]:
            push_project(self.session, find_project(self.session, self.project), Document())
        self.cleared = self.stored()
        return self.cleared

    def stored(self) -> Tuple[Optional[str], Optional[str]]:
        """The studio's stored document and the project's, read fresh over HTTP."""
        studio, metadata = (query_entities(reply) for reply in self.session.call([
            {"action": "query", "expression": STUDIO_QUERY},
            {"action": "query", "expression": "select value from Metadata where key is "
             f'"{PROJECT_SETTINGS_KEY}" and parent_id in '
             f'(select id from Project where name is "{self.project}")'},
        ]))  # fmt: skip
        return _value(studio), _value(metadata)


def _value(rows: Any) -> Optional[str]:
    return rows[0]["value"] if rows else None


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("layers")
    server = start_server(base)
    with open_session(server, base) as session:
        yield World(server, make_task(session), session)
    server.stop()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def document(key: str, layer: str, project: str) -> Dict[str, Any]:
    """The document that sets ``key`` in ``layer``."""
    value = {key: VALUES[key]}
    profiles = {
        "host profile": {"hosts": ["files"]},
        "task type profile": {"task_types": ["Compositing"]},
        "asset type profile": {"asset_types": ["upload"]},
    }
    if layer in profiles:
        return {"profiles": [{"name": "p", **profiles[layer], "settings": value}]}
    if layer == "project file":
        return {"projects": {project: {"settings": value}}}
    return {"settings": value}


def put(
    capsys: pytest.CaptureFixture[str], key: str, layer: str, project: str, folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Tuple[int, str, str]:  # fmt: skip
    """Set ``key`` in ``layer`` the way a TD does (push, or check the file and use it):
    ``(exit status, stdout, stderr)``."""
    path = folder / "doc.json"
    path.write_text(json.dumps(document(key, layer, project)), encoding="utf-8")
    if layer.endswith("file"):
        code, out, err = cli(capsys, "settings", "check", str(path))
        monkeypatch.setenv("FT_DCC_SETTINGS", str(path))
        return code, out, err
    where = ["--project", project] if layer in ("project", "task type profile") else ["--studio"]
    return cli(capsys, "settings", "push", str(path), *where)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("key", list(VALUES))
def test_a_key_in_a_layer_is_used_as_shown_or_refused(
    world: World, key: str, layer: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    task, project = world.task, world.project
    for name, value in dict(world.server.env, FT_DCC_SETTINGS="", FTRACK_CONTEXTID="").items():
        monkeypatch.setenv(name, value)
    before = world.clear()
    why = refusal(key, layer)
    if layer == "artist":
        if why is not None:
            with pytest.raises(SettingsError, match=why):
                parse_assignments([f"{key}={json.dumps(VALUES[key])}"])
            return
        artist = parse_assignments([f"{key}={json.dumps(VALUES[key])}"])
        used = settings_for_publish("files", task, artist=artist).resolved
        assert (used[key], used.level(key)) == (VALUES[key], "artist")
        return
    code, out, err = put(capsys, key, layer, project, tmp_path, monkeypatch)
    if why is not None:
        assert code == 1 and why in err, err
        assert world.stored() == before  # nothing stored
        return
    assert code == 0, err
    if key in SERVER_READ and layer.endswith("file"):  # check says where they apply
        said = "applies once this file is pushed" if layer == "studio file" else "is not used"
        assert any(line.startswith(f"# note: {key} ") and said in line
                   for line in out.splitlines()), out  # fmt: skip
    compare(capsys, key, layer, world, tmp_path)


def compare(
    capsys: pytest.CaptureFixture[str], key: str, layer: str, world: World, folder: Path
) -> None:
    """``settings show`` and the publish's resolver agree, and give the value set in
    ``layer`` (the settings file's review.*: the default, and both say why)."""
    task, project = world.task, world.project
    code, out, err = cli(capsys, "settings", "show", "--project", project, "--host", "files",
                         "--task-type", "Compositing", "--json")  # fmt: skip
    assert code == 0, err
    shown = json.loads(out)
    used = settings_for_publish("files", task).resolved
    value = used.values[key]
    assert shown["values"][key] == {"value": value.value, "level": value.level,
                                    "origin": value.origin}  # fmt: skip
    assert shown["profiles"] == used.profiles
    unused = key in SERVER_READ and layer.endswith("file")
    expected = next(k.default for k in KEYS if k.name == key) if unused else VALUES[key]
    assert shown["values"][key]["value"] == expected
    if unused:
        assert any(key in note and "not used" in note for note in shown["unused"]), shown
        assert shown["unused"] == used.unused
    else:
        level = "profile" if layer.endswith("profile") else layer.split()[0]
        assert shown["values"][key]["level"] == level
    if key in SERVER_READ:  # what the server reads when a verdict is given
        studio, metadata = world.stored()
        assert status_settings([studio, metadata])[key] == shown["values"][key]["value"]
    if key == "paths.task_templates":  # the publish finds its task by them
        scene = folder / "jobs" / project / "sq010" / "sh010" / "comp" / "work" / "v001.nk"
        found = settings_for_publish("files", scene=str(scene))
        assert (found.task, found.from_path) == (task, True)
        assert found.resolved.level(key) == shown["values"][key]["level"]
