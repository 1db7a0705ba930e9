"""End to end: tick "publish for review" on a Write node, render it with ``nuke.execute``, and the
afterRender callback publishes the rendered frames to the real embedded server; the review movie
is downloaded and checked with the real ffprobe."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable

import nuke
from ft_dcc_hosts.nuke import callbacks
from support import assert_review_movie, count_entities, make_task, open_session


def ticked_write(script: Path, task: str, session_name: str = "Comp dailies"):
    """Install the callbacks, reopen the script (onCreate adds the tab), tick the box, save."""
    callbacks.install()
    nuke.scriptOpen(script.as_posix())
    write = nuke.toNode("Write1")
    write[callbacks.PUBLISH_KNOB].setValue(True)
    write[callbacks.TASK_KNOB].setValue(task)
    write[callbacks.REVIEW_SESSION_KNOB].setValue(session_name)
    write[callbacks.COMMENT_KNOB].setValue("slap comp")
    nuke.scriptSave()
    return write


def publishing_setup(tmp_path: Path, server: Any, server_env: Callable[[Any], Any]):
    """Point the environment at ``server``, make a task and a saved ``shot.nk`` whose Write1
    is ticked to publish to it; returns (session, the Write node)."""
    server_env(server)
    session = open_session(server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}")
    return session, ticked_write(tmp_path / "shot.nk", task)


def test_rendering_a_ticked_write_publishes_a_playable_review(
    tmp_path, comp, embedded_server, server_env, capsys
):
    session, write = publishing_setup(tmp_path, embedded_server, server_env)
    state = nuke._fake.state
    mark = len(state.calls)

    nuke.execute(write, 1001, 1012)

    assert len(callbacks.reports) == 1
    report = callbacks.reports[0]
    assert report.ok and not report.queued, report.format()
    assert report.capture["frame_start"] == 1001 and report.capture["frame_end"] == 1012
    assert report.capture["fps"] == "25/1"
    # the Write's own frames were published: no second render, no temporary node
    calls = [c.name for c in state.calls[mark:]]
    assert calls.count("execute") == 1
    assert "nodes.Write" not in calls and "delete" not in calls
    assert "published" in capsys.readouterr().out.lower()  # nuke -t: the report is printed

    # browser-playable H.264, 12 frames of 320x180 at 25 fps (ffprobe on the download)
    assert_review_movie(
        embedded_server, report.component_ids["ftrackreview-mp4"], tmp_path / "review.mp4"
    )

    objects = session.query(
        "select version_id, review_session.name from ReviewSessionObject "
        f'where review_session_id is "{report.review_session_id}"'
    ).all()
    assert [o["version_id"] for o in objects] == [report.asset_version_id]
    assert objects[0]["review_session"]["name"] == "Comp dailies"
    version = session.query(
        f'select comment from AssetVersion where id is "{report.asset_version_id}"'
    ).one()
    assert version["comment"] == "slap comp"


def test_an_unticked_write_renders_without_publishing(tmp_path, comp, embedded_server, server_env):
    session, write = publishing_setup(tmp_path, embedded_server, server_env)
    write[callbacks.PUBLISH_KNOB].setValue(False)
    nuke.scriptSave()
    before = count_entities(session)
    mark = embedded_server.log_mark()

    nuke.execute(write, 1001, 1003)

    assert sorted(p.name for p in (tmp_path / "render").iterdir()) == [
        "shot.1001.png",
        "shot.1002.png",
        "shot.1003.png",
    ]
    assert callbacks.reports == []
    assert embedded_server.api_requests_since(mark) == []  # not even a connection
    assert count_entities(open_session(embedded_server, tmp_path / "again")) == before


def test_unsaved_script_is_refused_with_a_clear_error_and_nothing_published(
    tmp_path, comp, embedded_server, server_env, capsys
):
    session, write = publishing_setup(tmp_path, embedded_server, server_env)
    nuke.toNode("Constant1")["color"].setValue([0.1, 0.9, 0.1, 1.0])  # an unsaved edit
    assert nuke.root().modified()
    before = count_entities(session)

    nuke.execute(write, 1001, 1012)  # the render itself succeeds

    report = callbacks.reports[-1]
    assert not report.ok
    assert any("unsaved changes" in error for error in report.errors), report.errors
    assert "unsaved changes" in capsys.readouterr().out
    assert count_entities(open_session(embedded_server, tmp_path / "again")) == before
    assert nuke.root().modified()  # nothing saved behind the artist's back


def test_a_farm_chunk_is_not_published(tmp_path, comp, capsys):
    write = ticked_write(tmp_path / "shot.nk", "P/sq010/sh010/comp")
    nuke.execute(write, 1001, 1006)  # nuke -t: the first half of a split render
    assert callbacks.jobs == [] and callbacks.reports == []
    out = capsys.readouterr().out
    assert "rendered frames 1001-1006 of 1001-1012" in out
    assert f"ft-dcc publish {tmp_path.as_posix()}/shot.nk --host nuke --frames 1001-1012" in out
