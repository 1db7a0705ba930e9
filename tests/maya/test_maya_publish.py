"""End to end: MayaHost on the honest fake, the real embedded server, real ffmpeg/ffprobe."""

from __future__ import annotations

from fractions import Fraction

import pytest
from ft_dcc_hosts.maya.host import MayaHost
from maya import cmds
from maya_helpers import count_versions
from support import download_component, ffprobe, make_task, open_session

from ft_dcc.publish import publish


@pytest.mark.slow
def test_publish_23976_scene_into_the_review_session(saved_scene, maya_state, server_env, tmp_path):
    cmds.currentUnit(time="23.976fps")
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=23.976)

    report = publish(MayaHost(), task=task, review_session_name="Maya dailies", camera="shotCam")

    assert report.ok and not report.queued, str(report)
    assert report.review_session_name == "Maya dailies"
    assert report.review_url and report.review_url.startswith(server_env.url)
    assert report.capture["fps"] == "24000/1001"
    assert report.capture["camera"] == "shotCam"
    assert maya_state.playblasts[-1]["camera"] == "shotCam"
    assert maya_state.panels["modelPanel4"]["camera"] == "persp"  # the artist's view is back

    movie = download_component(
        server_env, report.component_ids["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    stream = ffprobe(movie)
    assert stream["codec_name"] == "h264" and stream["pix_fmt"] == "yuv420p"
    assert int(stream["nb_read_frames"]) == 12  # 1001-1012
    num, den = stream["r_frame_rate"].split("/")
    assert Fraction(int(num), int(den)) == Fraction(24000, 1001)
    assert (stream["width"], stream["height"]) == (320, 240)

    check = open_session(server_env, tmp_path)
    objects = check.query(
        'select id, version_id from ReviewSessionObject where review_session.name is "Maya dailies"'
    ).all()
    assert [o["version_id"] for o in objects] == [report.asset_version_id]


@pytest.mark.slow
def test_unsaved_scene_is_a_clear_error_and_nothing_is_published(
    saved_scene, maya_state, server_env, tmp_path
):
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    before = count_versions(session)
    maya_state.modified = True

    report = publish(MayaHost(), task=task, review_session_name="Maya dailies")

    assert not report.ok
    assert any("unsaved changes" in error and "save the scene" in error for error in report.errors)
    assert maya_state.calls_of("playblast") == []
    assert count_versions(open_session(server_env, tmp_path)) == before
    assert maya_state.modified  # nothing saved behind the artist's back
