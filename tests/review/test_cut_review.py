"""``ft-dcc review create --from-cut`` and ``ft-dcc review cut``: the editor's cut as a session.

A project of five shots with two versions each (v001 Approved on four of them); cut files written
by real writers — OpenTimelineIO (``.otio``) and its FCP 7 XML adapter (``.xml``), a CMX 3600 EDL
by hand — with an event that is no shot, a gap, and handles (each cut uses part of its version).
A Supervisor of the project (not an administrator) makes the sessions from the terminal; the
genuine ``ftrack_api`` client reads the order (``sort_order``), each item's cut timing (the
session's ``EntitySetting`` of group ``cut``) and which version each shot got. A second revision
of the cut reorders, adds and removes, and the items kept keep their notes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from xml.etree import ElementTree

import pytest
from support.cli import run_ft_dcc
from support.cut_files import FIRST_CUT, HOUR, RATE, SHOTS, edl_file, otio_timeline
from support.entities import emptied, genuine_sessions

otio = pytest.importorskip("opentimelineio")


def ft_dcc(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(list(args), env=dict(os.environ, **env), timeout=180)


def _target(server: Any) -> List[str]:
    return ["--data", str(server.data_dir)]


@pytest.fixture(scope="module")
def studio(
    sqlite_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dict[str, Any]]:
    """The project, its versions by shot ([v001, v002]) and a Supervisor's environment."""
    cache = tmp_path_factory.mktemp("cut-schemas")
    with genuine_sessions(sqlite_server, cache) as make:
        admin = make()
        name = "cut" + uuid.uuid4().hex[:8]
        schema = admin.query("ProjectSchema").first()
        project = admin.create("Project", {"name": name, "full_name": name,
                                           "project_schema": schema})  # fmt: skip
        approved = admin.query('Status where name is "Approved"').first()
        versions: Dict[str, List[Any]] = {}
        for shot_name in SHOTS:
            shot = admin.create("Shot", {"name": shot_name, "parent": project})
            asset = admin.create("Asset", {"name": "comp", "parent": shot})
            versions[shot_name] = [admin.create("AssetVersion", {"asset": asset, "version": n})
                                   for n in (1, 2)]  # fmt: skip
            if shot_name != "sh050":
                versions[shot_name][0]["status"] = approved
        admin.commit()
        sup = "sup" + uuid.uuid4().hex[:6]
        made = ft_dcc({}, "user", "add", sup, "--role", "supervisor", "--project", name,
                      *_target(sqlite_server))  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        key = re.search(r"API key: (\S+)", made.stdout)
        assert key, made.stdout
        env = {"FTRACK_SERVER": sqlite_server.url, "FTRACK_API_USER": sup,
               "FTRACK_API_KEY": key.group(1),
               "FTRACK_API_SCHEMA_CACHE_PATH": str(cache / "sup")}  # fmt: skip
        yield {"project": name, "versions": versions, "env": env, "reader": make()}


def fresh(studio: Dict[str, Any]) -> Any:
    """The module's genuine reader with nothing cached: it reads from the server."""
    return emptied(studio["reader"])


def _items(reader: Any, session_id: str) -> List[Tuple[str, str, Dict[str, Any]]]:
    """(shot, version id, cut timing) of each item in ftrack's order."""
    objects = reader.query(
        "select id, version_id, sort_order, asset_version.asset.parent.name from "
        f'ReviewSessionObject where review_session_id is "{session_id}"'
    ).all()
    rows = reader.query(
        f'select name, value from EntitySetting where parent_id is "{session_id}" and '
        'group is "cut"'
    ).all()
    timing = {row["name"]: json.loads(row["value"]) for row in rows}
    return [(o["asset_version"]["asset"]["parent"]["name"], o["version_id"], timing[o["id"]])
            for o in sorted(objects, key=lambda o: o["sort_order"])]  # fmt: skip


def _session_id(reader: Any, project: str, name: str) -> str:
    found = reader.query(
        f'select id from ReviewSession where name is "{name}" and project.name is "{project}"'
    ).all()
    assert len(found) == 1, found
    return str(found[0]["id"])


def test_an_edl_makes_a_session_in_cut_order_with_each_items_timing(
    studio: Dict[str, Any], tmp_path: Path
) -> None:
    cut = edl_file(tmp_path / "reel2.edl", FIRST_CUT)

    done = ft_dcc(studio["env"], "review", "create", "Reel 2 cut", "--project", studio["project"],
                  "--from-cut", str(cut), "--json")  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    reply = json.loads(done.stdout)
    assert [(u["event"], u["clip_name"], u["reason"]) for u in reply["unmatched"]] == [
        (3, "sh999_temp", "no shot")
    ]
    assert reply["gaps"] == [{"record_in": "01:00:02:18", "record_out": "01:00:03:00"}]
    reader = fresh(studio)
    items = _items(reader, _session_id(reader, studio["project"], "Reel 2 cut"))
    latest = {shot: versions[1]["id"] for shot, versions in studio["versions"].items()}
    assert [(shot, version) for shot, version, _ in items] == [
        ("sh030", latest["sh030"]),
        ("sh010", latest["sh010"]),
        ("sh020", latest["sh020"]),
    ]
    assert items[0][2] == {"event": 1, "source_in": "00:00:41:19", "source_out": "00:00:42:13",
                           "record_in": "01:00:00:00", "record_out": "01:00:00:18"}  # fmt: skip
    assert items[2][2]["event"] == 4 and items[2][2]["record_in"] == "01:00:03:00"


def test_the_text_report_names_what_was_left_out_and_the_gap(
    studio: Dict[str, Any], tmp_path: Path
) -> None:
    cut = edl_file(tmp_path / "reel2.edl", FIRST_CUT)

    done = ft_dcc(studio["env"], "review", "create", "Reel 2 text", "--project",
                  studio["project"], "--from-cut", str(cut), "--pick", "approved")  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    assert "event 3 (sh999_temp): no shot" in done.stdout
    assert "gap from 01:00:02:18 to 01:00:03:00" in done.stdout
    reader = fresh(studio)
    items = _items(reader, _session_id(reader, studio["project"], "Reel 2 text"))
    approved = {shot: versions[0]["id"] for shot, versions in studio["versions"].items()}
    assert [version for _, version, _ in items] == [
        approved["sh030"],
        approved["sh010"],
        approved["sh020"],
    ]


def test_strict_refuses_a_cut_with_a_gap_and_writes_nothing(
    studio: Dict[str, Any], tmp_path: Path
) -> None:
    cut = edl_file(tmp_path / "reel2.edl", FIRST_CUT)

    done = ft_dcc(studio["env"], "review", "create", "Reel 2 strict", "--project",
                  studio["project"], "--from-cut", str(cut), "--strict")  # fmt: skip

    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "nothing was written" in done.stderr and "gap" in done.stderr
    reader = fresh(studio)
    assert reader.query(f'ReviewSession where name is "Reel 2 strict" and project.name is '
                        f'"{studio["project"]}"').all() == []  # fmt: skip


@pytest.mark.parametrize("rate", ["0", "-24", "nan", "inf", "1000"])
def test_a_rate_that_is_no_frame_rate_is_refused_and_nothing_written(
    studio: Dict[str, Any], tmp_path: Path, rate: str
) -> None:
    cut = edl_file(tmp_path / "reel2.edl", FIRST_CUT)

    done = ft_dcc(studio["env"], "review", "create", "Reel 2 rate", "--project",
                  studio["project"], "--from-cut", str(cut), "--rate", rate)  # fmt: skip

    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "is not a cut's frame rate" in done.stderr and "from 1 to 240" in done.stderr
    reader = fresh(studio)
    assert reader.query(f'ReviewSession where name is "Reel 2 rate" and project.name is '
                        f'"{studio["project"]}"').all() == []  # fmt: skip


@pytest.mark.parametrize("suffix, adapter", [(".otio", "otio_json"), (".xml", "fcp_xml")])
def test_opentimelineio_and_fcp_xml_cuts_make_the_same_session(
    studio: Dict[str, Any], tmp_path: Path, suffix: str, adapter: str
) -> None:
    path = tmp_path / f"trailer{suffix}"
    otio.adapters.write_to_file(otio_timeline(HOUR), str(path), adapter_name=adapter)
    name = f"Trailer {adapter}"

    done = ft_dcc(studio["env"], "review", "create", name, "--project", studio["project"],
                  "--from-cut", str(path), "--json")  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    reader = fresh(studio)
    items = _items(reader, _session_id(reader, studio["project"], name))
    assert [(shot, timing["event"]) for shot, _, timing in items] == [
        ("sh040", 1),
        ("sh050", 2),
        ("sh010", 3),
    ]
    assert items[1][2]["source_in"] == "00:00:42:02" and items[1][2]["source_out"] == "00:00:42:22"
    assert json.loads(done.stdout)["gaps"] == [
        {"record_in": items[1][2]["record_out"], "record_out": items[2][2]["record_in"]}
    ]


def test_a_new_revision_reorders_adds_and_removes_and_keeps_the_items_notes(
    studio: Dict[str, Any], tmp_path: Path
) -> None:
    env, project = studio["env"], studio["project"]
    first = edl_file(tmp_path / "reel3_v1.edl", [e for e in FIRST_CUT if e[0] != 3])
    made = ft_dcc(env, "review", "create", "Reel 3", "--project", project, "--from-cut", str(first))
    assert made.returncode == 0, made.stdout + made.stderr
    reader = fresh(studio)
    session_id = _session_id(reader, project, "Reel 3")
    before = {o["asset_version"]["asset"]["parent"]["name"]: o["id"] for o in reader.query(
        "select id, asset_version.asset.parent.name from ReviewSessionObject where "
        f'review_session_id is "{session_id}"').all()}  # fmt: skip
    note = reader.create("Note", {"content": "the sky pops at the cut", "parent_id":
                                  before["sh030"], "parent_type": "ReviewSessionObject",
                                  "user_id": reader.query("User").first()["id"]})  # fmt: skip
    reader.commit()
    note_id = note["id"]
    second = edl_file(
        tmp_path / "reel3_v2.edl",
        [
            (1, "sh020", 1001, 1020, HOUR, HOUR + 19),
            (2, "sh030", 1001, 1012, HOUR + 19, HOUR + 30),
            (3, "sh050", 1001, 1025, HOUR + 30, HOUR + 54),
        ],
    )

    done = ft_dcc(env, "review", "cut", "Reel 3", "--project", project, str(second))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "removed: sh010" in done.stdout and "revision 2" in done.stdout
    after = _items(fresh(studio), session_id)
    assert [shot for shot, _, _ in after] == ["sh020", "sh030", "sh050"]
    assert after[1][2]["source_in"] == "00:00:41:17" and after[1][2]["record_in"] == "01:00:00:19"
    ids = {o["asset_version"]["asset"]["parent"]["name"]: o["id"] for o in fresh(studio).query(
        "select id, asset_version.asset.parent.name from ReviewSessionObject where "
        f'review_session_id is "{session_id}"').all()}  # fmt: skip
    assert ids["sh030"] == before["sh030"] and ids["sh020"] == before["sh020"]
    kept = fresh(studio).query(f'select parent_id from Note where id is "{note_id}"').one()
    assert kept["parent_id"] == before["sh030"]
    described = fresh(studio).query(f'select description from ReviewSession where id is '
                                    f'"{session_id}"').one()  # fmt: skip
    assert "revision 2" in described["description"]


def test_the_shot_rule_is_a_field_or_a_regular_expression_with_its_group() -> None:
    from ft_dcc.cut.match import shot_name
    from ft_dcc.cut.read import CutEvent
    from ft_dcc.exceptions import SettingsError
    from ft_dcc.settings.keys import BY_NAME

    key = BY_NAME["cut.shot_from"]
    assert key.check("reel") == "reel"
    with pytest.raises(SettingsError, match=r"no group \(\?P<shot>"):
        key.check(r"sh\d+")
    with pytest.raises(SettingsError, match="not a regular expression"):
        key.check("(?P<shot>sh")
    event = CutEvent(7, "SEQ_sh040_comp_v12", "A007", 1001, 1010, 0, 9)
    assert shot_name(event, key.check(r"_(?P<shot>sh\d+)_")) == "sh040"
    assert shot_name(event, "reel") == "A007"
    assert shot_name(event, r"(?P<shot>zz\d+)") == ""


def _note(writer: Any, item_id: str, text: str, frame: int) -> None:
    note = writer.create("Note", {"content": text, "parent_id": item_id,
                                  "parent_type": "ReviewSessionObject",
                                  "user_id": writer.query("User").first()["id"]})  # fmt: skip
    note["metadata"]["frame"] = str(frame)
    writer.commit()


def test_notes_export_as_markers_at_the_cuts_record_timecodes(
    studio: Dict[str, Any], tmp_path: Path
) -> None:
    env, project = studio["env"], studio["project"]
    cut = edl_file(tmp_path / "reel4.edl", FIRST_CUT)
    made = ft_dcc(env, "review", "create", "Reel 4", "--project", project, "--from-cut", str(cut))
    assert made.returncode == 0, made.stdout + made.stderr
    writer = fresh(studio)
    items = {o["asset_version"]["asset"]["parent"]["name"]: o["id"] for o in writer.query(
        "select id, asset_version.asset.parent.name from ReviewSessionObject where "
        f'review_session_id is "{_session_id(writer, project, "Reel 4")}"').all()}  # fmt: skip
    _note(writer, items["sh030"], "sky pops", 1008)  # cut 1003-1020 at 01:00:00:00
    _note(writer, items["sh010"], "arm late", 1010)  # cut 1005-1028 at 01:00:00:18
    _note(writer, items["sh020"], "in the handles", 1020)  # cut 1001-1012 at 01:00:03:00

    done = ft_dcc(env, "review", "export", "Reel 4", "--project", project, "--output",
                  str(tmp_path / "out"), "--format", "edl,otio,fcpxml")  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "out" / "session.edl").read_text(encoding="utf-8")
    records = re.findall(r"^\d{3} .* \d\d:\d\d:\d\d:\d\d \S+ (\S+) (\S+)\s*$", text, re.M)
    assert records == [("01:00:00:00", "01:00:00:18"), ("01:00:00:18", "01:00:01:18"),
                       ("01:00:03:00", "01:00:03:12")]  # fmt: skip
    locators = dict(re.findall(r"^\* LOC: (\S+) \S+\s+(.*)$", text, re.M))
    assert {when: name.split(":")[1].strip().split(" (")[0] for when, name in locators.items()} == {
        "01:00:00:05": "SKY POPS",
        "01:00:00:23": "ARM LATE",
        "01:00:03:11": "IN THE HANDLES",
    }
    assert "(FRAME 1020)" in locators["01:00:03:11"]  # the marker says the frame it is about
    timeline = otio.adapters.read_from_file(str(tmp_path / "out" / "session.edl"),
                                            adapter_name="cmx_3600", rate=RATE)  # fmt: skip
    read = sorted(m.marked_range.start_time.to_frames()
                  for clip in timeline.find_clips() for m in clip.markers)  # fmt: skip
    # OTIO reads each locator at the record timecode of its note's frame
    assert read == [HOUR + 5, HOUR + 23, HOUR + 72 + 11]
    # FCP 7 XML: a marker's <in> counts from its media's start, as the clip's own <in> does
    # (each clip from its cut in, after its handles), so each note is on its own frame
    root = ElementTree.parse(tmp_path / "out" / "session.xml").getroot()
    placed, clip_ins = {}, []
    for item in root.iter("clipitem"):
        start = int(item.findtext("file/timecode/frame") or 0)
        clip_ins.append(start + int(item.findtext("in") or ""))
        for marker in item.iter("marker"):
            placed[marker.findtext("name").split(": ")[1].split(" (")[0]] = start + int(
                marker.findtext("in") or ""
            )
    assert clip_ins == [1003, 1005, 1001]
    assert placed == {"sky pops": 1008, "arm late": 1010, "in the handles": 1012}
