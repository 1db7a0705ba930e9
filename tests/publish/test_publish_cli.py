"""``ft-dcc publish`` and ``ft-dcc queue`` as a user runs them: real subprocesses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from support import free_port, make_movie, make_sequence, make_task, open_session
from support.cli import ft_dcc

from ft_dcc.publish.common.report import EXIT_QUEUED


def server_env(server: Any, queue_dir: Path) -> Dict[str, str]:
    return dict(server.env, FT_DCC_QUEUE_DIR=str(queue_dir), PYBLISHPLUGINPATH="")


def test_publish_hash_pattern_prints_ids_as_json(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    with open_session(embedded_server, tmp_path) as session:
        task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    make_sequence(tmp_path / "frames", frames=12, start=1001, name="sh010_comp")
    done = ft_dcc(
        server_env(embedded_server, queue_dir),
        "publish", str(tmp_path / "frames" / "sh010_comp.####.png"), "--host", "files",
        "--task", task_path, "--review-session", "Dailies cli", "--comment", "from the shell",
        "--fps", "25", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["ok"] and not data["queued"] and data["status"] == "published"
    assert data["review_session_name"] == "Dailies cli"
    with open_session(embedded_server, tmp_path) as check:
        version = check.query(
            f'select comment, asset.name from AssetVersion where id is "{data["asset_version_id"]}"'
        ).one()
        assert version["comment"] == "from the shell"
        assert version["asset"]["name"] == "sh010_comp"
        rso_id = data["review_session_object_id"]
        rso = check.query(
            f'select version_id from ReviewSessionObject where id is "{rso_id}"'
        ).one()
        assert rso["version_id"] == data["asset_version_id"]
        assert {c["id"] for c in check.query(
            f'select id from Component where version_id is "{data["asset_version_id"]}"'
        ).all()} == set(data["component_ids"].values())  # fmt: skip


def test_publish_one_frame_with_a_sub_range_and_ntsc_rate(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    with open_session(embedded_server, tmp_path) as session:
        task_path = make_task(session, fstart=1003, fend=1010, fps=23.976)
    make_sequence(tmp_path / "frames", frames=12, start=1001)
    done = ft_dcc(
        server_env(embedded_server, queue_dir),
        "publish", str(tmp_path / "frames" / "shot.1005.png"), "--task", task_path,
        "--frames", "1003-1010", "--fps", "23.976", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["capture"]["fps"] == "24000/1001"
    assert (data["capture"]["frame_start"], data["capture"]["frame_end"]) == (1003, 1010)
    with open_session(embedded_server, tmp_path) as check:
        meta = check.query(
            "select value from Metadata where key is ftr_meta and parent_id is "
            f'"{data["component_ids"]["ftrackreview-mp4"]}"'
        ).one()
        assert json.loads(meta["value"])["frameOut"] == 8


def test_publish_a_movie(embedded_server, tmp_path: Path, queue_dir: Path) -> None:
    with open_session(embedded_server, tmp_path) as session:
        task_path = make_task(session, fstart=1001, fend=1100, fps=None)
    movie = tmp_path / "edit_v003.mov"
    make_movie(movie, frames=30, size="400x226")
    # the shot's range is set (1001-1100), so the movie's 1-30 needs --frames
    refused = ft_dcc(
        server_env(embedded_server, queue_dir), "publish", str(movie), "--task", task_path
    )
    assert refused.returncode == 1
    assert "1001-1100" in refused.stdout and "frames" in refused.stdout
    done = ft_dcc(
        server_env(embedded_server, queue_dir),
        "publish", str(movie), "--task", task_path, "--frames", "1-30", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["ok"] and any("differs from shot" in w for w in data["warnings"])


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_publish_without_a_server_says_queued_and_exits_75(tmp_path: Path, queue_dir: Path) -> None:
    make_sequence(tmp_path / "frames", frames=6, start=1)
    env = {
        "FTRACK_SERVER": f"http://127.0.0.1:{free_port()}",
        "FTRACK_API_USER": "test.user",
        "FTRACK_API_KEY": "test-key-7f3c1d9e2b",
        "FT_DCC_QUEUE_DIR": str(queue_dir),
        "PYBLISHPLUGINPATH": "",
    }
    as_json = ft_dcc(
        env, "publish", str(tmp_path / "frames" / "shot.%04d.png"), "--task", "p/sh/comp", "--json"
    )
    assert as_json.returncode == EXIT_QUEUED, as_json.stderr  # only queued: not success
    data = json.loads(as_json.stdout)
    assert data["queued"] is True and data["status"] == "queued"
    assert data["asset_version_id"] and data["review_session_object_id"]
    text = ft_dcc(env, "publish", str(tmp_path / "frames" / "shot.0003.png"), "--task", "p/sh/comp")
    assert text.returncode == EXIT_QUEUED
    assert text.stdout.startswith("Queued:") and "ft-dcc queue flush" in text.stdout
    listing = ft_dcc(env, "queue", "list")
    assert listing.returncode == 0 and "2 publish(es) waiting" in listing.stdout
    dropped = ft_dcc(env, "queue", "drop", data["asset_version_id"])
    assert dropped.returncode == 1 and "no queued publish" in dropped.stderr  # ids are entry ids
    entry_id = json.loads(ft_dcc(env, "queue", "list", "--json").stdout)["entries"][0]["id"]
    assert ft_dcc(env, "queue", "drop", entry_id[:8]).returncode == 0
    assert "1 publish(es) waiting" in ft_dcc(env, "queue", "list").stdout


def test_bad_input_and_bad_frames_fail_clearly(tmp_path: Path, queue_dir: Path) -> None:
    env = {"FT_DCC_QUEUE_DIR": str(queue_dir)}
    missing = ft_dcc(env, "publish", str(tmp_path / "nothing.%04d.exr"), "--task", "p/s/t")
    assert missing.returncode == 1 and "No frames found" in missing.stderr
    make_sequence(tmp_path / "frames", frames=3, start=1)
    bad = ft_dcc(env, "publish", str(tmp_path / "frames" / "shot.0001.png"), "--frames", "a-b")
    assert bad.returncode == 2 and "START-END" in bad.stderr and "Traceback" not in bad.stderr


def test_scene_files_pick_their_host(tmp_path: Path, queue_dir: Path) -> None:
    from ft_dcc.publish.commands import host_for

    assert host_for("shot.blend", None) == "blender"
    assert host_for("SHOT.MB", None) == "maya"
    assert host_for("comp.nk", None) == "nuke"
    assert host_for("plate.%04d.exr", None) == "files"
    assert host_for("shot.blend", "files") == "files"
    scene = tmp_path / "shot.nk"
    scene.write_text("# a nuke script\n")
    refused = ft_dcc({"FT_DCC_QUEUE_DIR": str(queue_dir)}, "publish", str(scene), "--host", "files")
    assert refused.returncode == 1 and "--host nuke" in refused.stderr
