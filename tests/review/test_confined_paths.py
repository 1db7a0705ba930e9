"""Paths built from stored data stay in their folder (the access issue, "a path built from
stored data"): the one helper, :mod:`ft_dcc.safe_paths`, fed every hostile name we could think
of, and the attack end to end over HTTP -- a User sets their own review component's
``file_type`` (and asset name) to climb out, adds the version to a colleague's open session, and
the colleague's ``ft-dcc review export`` writes nothing outside ``--output``."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, List

import pytest
from support import genuine_sessions
from support.cli import run_ft_dcc
from support.trust import add_api_user
from web.feedback_fixtures import make_dailies

from ft_dcc.exceptions import FtDccError, UnsafePathError
from ft_dcc.safe_paths import MAX_NAME, confined, safe_name, safe_suffix

HOSTILE = [
    "..", ".", "", "...", "../x", "../../../etc/passwd", "/../../../X", "/etc/passwd", "/",
    "\\..\\..\\x", "..\\..\\windows\\system32", "C:\\Windows\\x", "C:x", "c:", "\\\\server\\share",
    "\\\\?\\C:\\x", "a\x00b", "\x00", "a/b", "a\\b", "x" * 5000, "é" * 300, "\u202egnp.exe",
    "\uff0e\uff0e\uff0fX", "\u2024\u2024/X", ".hidden", "-rf", "--output=/", "CON", "con.txt",
    "NUL", "nul.mp4", "COM1", "lpt9.png", "AUX.", "PRN ", "CLOCK$", "CONIN$", "name.", "name ",
    "trailing...", "a\nb", "a\rb", "\t", "~", "~/x", "$HOME", "%APPDATA%", "file:x", "a:b:$DATA",
    "*?<>|\"", "🎬", "\ud800", "..%2f..%2fx", ". .", " ..", ".. ", None, 12, ["..", "x"],
]  # fmt: skip

DEVICES = {"con", "prn", "aux", "nul", "clock$", "conin$", "conout$"} | {
    f"{kind}{n}" for kind in ("com", "lpt") for n in range(10)
}


@pytest.mark.parametrize("name", HOSTILE, ids=lambda n: repr(n)[:40])
@pytest.mark.parametrize("suffix", ["", ".mp4", "/../../../X", "..", ".m p4", "\\.exe", ".x" * 40])
def test_every_hostile_name_becomes_one_plain_name_inside_its_folder(
    tmp_path: Path, name: Any, suffix: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    made = safe_name(name, suffix)
    assert made and len(made) <= MAX_NAME, made
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in made), made
    assert not made.startswith((".", "-")) and not made.endswith((".", " ")), made
    assert ".." not in made, made
    assert made.split(".")[0].lower() not in DEVICES, made
    path = confined(folder, name, suffix)
    assert path.parent == folder and path.name == made
    path.write_bytes(b"inside")  # a real file of that name can be made, and it is in folder
    assert [p.name for p in folder.iterdir()] == [made]


def test_a_suffix_is_a_dot_and_letters_or_nothing() -> None:
    assert safe_suffix(".mp4") == ".mp4" and safe_suffix(".MOV") == ".MOV"
    for hostile in ("/../../../X", "..", ".", "mp4", ".m/p4", ".mp4\x00.exe", "." + "a" * 17, None):
        assert safe_suffix(hostile) == "", hostile
    assert safe_name("sh010 anim v001", ".mp4") == "sh010_anim_v001.mp4"
    assert safe_name("", fallback="version") == "version"


def test_keep_uses_a_plain_name_as_it_is_and_refuses_the_rest(tmp_path: Path) -> None:
    assert confined(tmp_path, "shot010_anim.####.png", keep=True).name == "shot010_anim.####.png"
    for hostile in (
        "..",
        ".",
        "",
        "../x",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "C:x",
        "a\x00b",
        "x" * 300,
    ):
        with pytest.raises(UnsafePathError) as refused:
            confined(tmp_path, hostile, keep=True)
        assert isinstance(refused.value, FtDccError) and refused.value.hint


def test_a_link_in_the_way_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "movie.mp4").symlink_to(outside / "stolen.mp4")
    with pytest.raises(UnsafePathError, match="outside"):
        confined(folder, "movie", ".mp4")
    assert not (outside / "stolen.mp4").exists()


# -- the export attack, end to end ----------------------------------------------------------------
def files_under(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())


def test_a_colleagues_export_writes_nothing_outside_output(
    embedded_server: Any, tmp_path: Path
) -> None:
    pytest.importorskip("opentimelineio")
    server = embedded_server
    payload = b"ATTACKER BYTES " + uuid.uuid4().hex.encode()
    with genuine_sessions(server, tmp_path / "cache") as make:
        owner = make()
        dailies = make_dailies(owner)  # the colleague's open session
        name = f"mallory{uuid.uuid4().hex[:6]}"
        _user_id, key = add_api_user(server, name)
        mallory = make(api_user=name, api_key=key)
        project = mallory.get("Project", dailies.review_session["project"]["id"])
        asset_type = mallory.query('AssetType where short is "upload"').one()
        asset = mallory.create("Asset", {"name": "../../../../Y", "parent": project,
                                         "type": asset_type})  # fmt: skip
        version = mallory.create("AssetVersion", {"asset": asset})
        mallory.commit()
        source = tmp_path / "bytes.bin"
        source.write_bytes(payload)
        location = mallory.query('Location where name is "ftrack.server"').one()
        component = version.create_component(
            str(source), data={"name": "ftrackreview-mp4", "file_type": "/../../../X"},
            location=location,
        )  # fmt: skip
        component["metadata"]["ftr_meta"] = json.dumps(
            {"frameIn": 0, "frameOut": 10, "frameRate": 24}
        )
        mallory.create("ReviewSessionObject", {
            "review_session": mallory.get("ReviewSession", dailies.review_session["id"]),
            "asset_version": version, "name": "../../../../Z", "version": "../v", "sort_order": 9,
        })  # fmt: skip
        mallory.commit()
        stored = owner.query(f'select file_type from Component where id is "{component["id"]}"')
        assert stored.one()["file_type"] == "/../../../X"  # the server kept the hostile value

    root = tmp_path / "colleague"
    output = root / "a" / "b" / "out"
    env = dict(server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schemas"))
    done = run_ft_dcc(
        [
            "review",
            "export",
            "Dailies",
            "--project",
            dailies.review_session["project"]["name"],
            "--output",
            str(output),
        ],
        env=dict(os.environ, **env),
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr
    written = files_under(root)
    outside = [p for p in written if output not in p.parents]
    assert outside == [], (outside, done.stdout, done.stderr)
    attacker = [p for p in written if p.read_bytes() == payload]
    assert attacker and all(p.parent == output / "media" for p in attacker), attacker
    assert done.returncode == 0, done.stdout + done.stderr


# -- farm staging: a part record names its frames in frames/, no more -----------------------------
@pytest.mark.parametrize(
    "pattern", ["../../out.####.png", "/etc/passwd", "..", "", "a/../../b.####.png", "x\x00.png"]
)
def test_a_farm_part_record_cannot_point_outside_its_frames(tmp_path: Path, pattern: str) -> None:
    from ft_dcc.exceptions import FarmError
    from ft_dcc.farm.staging import PartRecord, WorkFolder, staged_input

    work = WorkFolder(tmp_path / "work")
    work.save(PartRecord(part=1, parts=1, frames=(1001, 1010), pattern=pattern))
    with pytest.raises(FarmError, match="capture steps again"):
        staged_input(work, 1)
    good = "shot010_anim.####.png"
    work.save(PartRecord(part=1, parts=1, frames=(1001, 1010), pattern=good))
    assert staged_input(work, 1)[0] == work.frames / good


# -- queue entries: a component's name names a file in the entry's media folder, no more ---------
def test_a_queued_components_name_cannot_leave_the_entrys_media(tmp_path: Path) -> None:
    from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
    from ft_dcc.publish.offline.queue import OfflineQueue

    work = tmp_path / "work"
    work.mkdir()
    movie = work / "review.mp4"
    movie.write_bytes(b"\x00" * 64)
    manifest = IntegrateManifest(
        task_path="demo/sh010/comp", asset_name="sh010", review_session_name="Dailies",
        components=[ComponentSpec(name="../../../escaped", file=str(movie))],
    )  # fmt: skip
    queue = OfflineQueue(tmp_path / "q")
    entry = queue.spool(manifest)
    inside = [p for p in (tmp_path / "q").rglob("*") if p.is_file() and p.suffix == ".mp4"]
    assert [p.parent for p in inside] == [entry.media_dir], inside
    assert not list(tmp_path.glob("escaped*")) and not list((tmp_path / "q").glob("escaped*"))
    (listed,) = queue.entries()
    assert listed.manifest.components[0].path(listed.media_dir).read_bytes() == b"\x00" * 64
