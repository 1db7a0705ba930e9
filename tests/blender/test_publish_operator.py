"""The add-on's "Publish for review" operator in bpy 5.0.1, against the real embedded server:
the review movie is checked by ffprobe, and the version sits in the review session."""

from __future__ import annotations

import uuid

import pytest
from blender_helpers import build_addon_zip, needs_bpy, run_bpy, server_env, write_json
from support import assert_review_movie, count_entities, make_task, open_session
from support.trust import start_server

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


def test_operator_publishes_a_playable_review(tmp_path, blender_env, embedded_server):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blop{uuid.uuid4().hex[:8]}")
    options = {
        "blend": str(tmp_path / "shot.blend"),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": "Blender dailies",
        "comment": "first pass",
    }
    env = server_env(blender_env, embedded_server)
    result = run_bpy("publish_operator.py", [write_json(tmp_path / "o.json", options)], env)

    assert result["returned"] == ["FINISHED"], result["status"]
    assert result["outcome"] == "published"
    assert result["status"].startswith("Published v001 of shot in review session 'Blender dailies'")
    report = result["report"]
    assert report["ok"] and not report["queued"]
    assert report["capture"]["frame_start"] == 1001 and report["capture"]["frame_end"] == 1012
    assert report["capture"]["display"]["method"] == "workbench"  # bpy is always background
    assert result["engine_after"] == "BLENDER_EEVEE"  # the scene's engine is back
    # the panel's connection row: the publish reached the server, so not "Not checked yet"
    connected = result["connection_after"]
    assert connected["connected"] and connected["message"].startswith("Connected to"), connected
    assert embedded_server.url in connected["message"], connected

    # browser-playable H.264, 12 frames of 320x180 at 25 fps (ffprobe on the download)
    assert_review_movie(
        embedded_server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "review.mp4"
    )

    objects = session.query(
        "select version_id, review_session.name from ReviewSessionObject "
        f'where review_session_id is "{report["review_session_id"]}"'
    ).all()
    assert [o["version_id"] for o in objects] == [report["asset_version_id"]]
    assert objects[0]["review_session"]["name"] == "Blender dailies"
    version = session.query(
        f'select comment, task_id from AssetVersion where id is "{report["asset_version_id"]}"'
    ).one()
    assert version["comment"] == "first pass"


def test_two_ticked_cameras_publish_two_versions_in_one_commit(
    tmp_path, blender_env, embedded_server
):
    session = open_session(embedded_server, tmp_path)
    options = dict(
        blend=str(tmp_path / "shot.blend"), zip=str(build_addon_zip(tmp_path / "dist")),
        task=make_task(session, f"blcams{uuid.uuid4().hex[:8]}"),
        review_session="Blender two cameras", cameras=["camA", "camB"],
    )  # fmt: skip
    env = server_env(blender_env, embedded_server)
    mark = embedded_server.log_mark()
    result = run_bpy("publish_operator.py", [write_json(tmp_path / "o.json", options)], env)

    assert result["returned"] == ["FINISHED"], result["status"]
    report = result["report"]
    assert [(v["asset_name"], v["version_number"]) for v in report["versions"]] == [
        ("shot_camA", 1),
        ("shot_camB", 1),
    ]
    assert result["status"].startswith("Published 2 versions (shot_camA v001, shot_camB v001)")
    commits = [
        r for r in embedded_server.requests_since(mark) if "create" in (r.get("actions") or [])
    ]
    assert len(commits) == 1  # both versions, components and the session: one batch
    objects = session.query(
        "select version_id, asset_version.asset.name from ReviewSessionObject "
        f'where review_session_id is "{report["review_session_id"]}"'
    ).all()
    assert sorted(o["version_id"] for o in objects) == sorted(
        v["asset_version_id"] for v in report["versions"]
    )
    for version in report["versions"]:  # each a playable review of its own camera
        captured = session.query(
            'select value from Metadata where key is "ft_dcc_capture" and parent_id is '
            f'"{version["component_ids"]["ftrackreview-mp4"]}"'
        ).one()
        assert f'"camera": "{version["asset_name"][5:]}"' in captured["value"]


@pytest.fixture(scope="module")
def refusals_server(tmp_path_factory):
    """A server of the refusal cases' own, shared by them (one server start, not one per case):
    nothing else writes to it, so each case's refused publish must leave it as it found it."""
    server = start_server(tmp_path_factory.mktemp("refusals-server"))
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("nocamera", "has no camera"),
        ("closed", "closed"),
        ("neversaved", "never saved"),
    ],
)
def test_operator_refuses_with_a_clear_message(
    tmp_path, blender_env, refusals_server, case, expected
):
    session = open_session(refusals_server, tmp_path)
    task = make_task(session, f"blno{uuid.uuid4().hex[:8]}")
    review_session = "Closed dailies" if case == "closed" else "Dailies"
    if case == "closed":
        from ft_dcc.review import sessions as review

        project = session.query(f'Project where name is "{task.split("/")[0]}"').one()
        created = review.create_review_session(session, project, review_session)
        session.commit()
        review.close_review_session(session, created)
        review.create_review_session(session, project, "Open dailies")
        session.commit()
    before = count_entities(session)
    options = {
        "blend": str(tmp_path / "shot.blend"),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": review_session,
        "case": case,
        "refresh": True,
    }
    env = server_env(blender_env, refusals_server)
    result = run_bpy("publish_operator.py", [write_json(tmp_path / "o.json", options)], env)

    print(f"{case}: {result['status']}")  # what the artist reads
    assert result["returned"] == ["CANCELLED"]
    assert result["outcome"] == "failed"
    assert expected in result["status"].lower(), result["status"]
    assert count_entities(open_session(refusals_server, tmp_path / "again")) == before
    refreshed = result["refreshed"]
    assert refreshed["connected"] is True, refreshed
    assert refreshed["message"] == f"Connected to {refusals_server.url} as test.user"
    if case == "closed":  # the panel offers only the project's open sessions
        assert refreshed["sessions"] == ["Open dailies"]
        assert refreshed["items"][1:] == ["Open dailies"]
        assert refreshed["picked"] == "Open dailies"
