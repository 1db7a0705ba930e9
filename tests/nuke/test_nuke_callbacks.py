"""The Write-node integration in the app (GUI) and terminal modes: the ftrack review tab, the
menu only in the app, the report in a dialog or on the terminal, ProgressTask progress, and a
menu publish at 23.976 fps rendered through a temporary Write node, checked with ffprobe."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import nuke
import pytest
from ft_dcc_hosts.nuke import callbacks
from support import download_component, ffprobe, make_task, open_session


def finish(job) -> None:
    """Be Nuke's event loop until the background publish is done and its dialog shown."""
    state = nuke._fake.state
    state.run_main_thread(until=job.done)
    state.run_main_thread(until=state.main_queue.empty)


def test_new_write_nodes_get_the_review_tab_once_without_marking_the_script(tmp_path):
    callbacks.install()
    callbacks.install()  # a second init.py run must not double the callbacks
    assert len(nuke._fake.state.callbacks["afterRender"]["Write"]) == 1
    nuke.root().setModified(False)
    write = nuke.nodes.Write(file=(tmp_path / "x.####.png").as_posix())
    constant = nuke.nodes.Constant()
    assert constant.knob(callbacks.PUBLISH_KNOB) is None  # Write nodes only
    assert write[callbacks.PUBLISH_KNOB].value() is False
    assert write[callbacks.TAB_KNOB].label() == "ftrack review"
    assert [write[k].value() for k in (callbacks.TASK_KNOB, callbacks.REVIEW_SESSION_KNOB)] == [
        "",
        "",
    ]
    callbacks.add_review_knobs(write)  # already there: nothing added, nothing raised
    write[callbacks.PUBLISH_KNOB].setValue(True)
    write[callbacks.TASK_KNOB].setValue("P/sq/sh/comp")
    nuke.scriptSaveAs((tmp_path / "a.nk").as_posix())

    nuke._fake.reset()
    callbacks.install()
    nuke.scriptOpen((tmp_path / "a.nk").as_posix())  # onCreate runs again on load
    loaded = nuke.toNode("Write1")
    assert loaded[callbacks.PUBLISH_KNOB].value() is True
    assert loaded[callbacks.TASK_KNOB].value() == "P/sq/sh/comp"
    assert nuke.root().modified() is False


def test_the_menu_exists_only_in_the_app():
    callbacks.install_menu()  # terminal: nothing, and no nuke.menu call (it would raise)
    assert nuke._fake.state.called("menu") == []
    nuke._fake.reset(gui=True)
    callbacks.install_menu()
    item = nuke.menu("Nodes").findItem(callbacks.MENU_ITEM)
    assert item is not None and item.name() == "Publish for review"


def test_the_menu_asks_for_write_nodes():
    nuke._fake.reset(gui=True)
    callbacks.install_menu()
    nuke.menu("Nodes").findItem(callbacks.MENU_ITEM).invoke()
    nuke.menu("Nodes").findItem(callbacks.MENU_TICKED).invoke()
    assert nuke._fake.state.messages == [
        "Select the Write node(s) to publish for review.",
        "Tick 'publish for review' (ftrack review tab) on the Write nodes to publish.",
    ]


def test_ticked_writes_publish_as_versions_in_one_commit(
    tmp_path, comp, embedded_server, server_env
):
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", 1001, 1012)
    callbacks.install()
    other = nuke.nodes.Write(file=(tmp_path / "alt" / "alt.####.png").as_posix())
    other.setInput(0, comp.input(0))
    unticked = nuke.nodes.Write(file=(tmp_path / "no" / "no.####.png").as_posix())
    callbacks.add_review_knobs(comp)  # made before install(): no onCreate for it
    for write in (comp, other):
        write[callbacks.PUBLISH_KNOB].setValue(True)
    comp[callbacks.TASK_KNOB].setValue(task)
    comp[callbacks.REVIEW_SESSION_KNOB].setValue("Two writes")
    nuke.scriptSave()
    mark = embedded_server.log_mark()
    job = callbacks.publish_ticked()
    assert job is not None and job.thread is None  # the terminal: in the foreground
    report = job.report
    assert report.ok, report.format()
    assert [v.asset_name for v in report.versions] == ["shot_Write1", "shot_Write2"]
    assert unticked.name() not in report.format(verbose=True)
    commits = [
        r for r in embedded_server.requests_since(mark) if "create" in (r.get("actions") or [])
    ]
    assert len(commits) == 1


def test_an_unticked_write_is_never_published(comp):
    callbacks.install()
    callbacks.add_review_knobs(comp)
    nuke.execute(comp, 1001, 1002)
    assert callbacks.reports == []
    assert callbacks._rendered == {}


def test_menu_publish_at_23976_renders_through_a_temporary_write(
    tmp_path, comp, embedded_server, server_env
):
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", 1001, 1008, fps=23.976)
    script = tmp_path / "shot.nk"
    nuke._fake.reset(gui=True)
    callbacks.install()
    callbacks.install_menu()
    nuke.scriptOpen(script.as_posix())
    nuke.root()["fps"].setValue(23.976)
    nuke.root()["last_frame"].setValue(1008)
    write = nuke.toNode("Write1")
    write[callbacks.TASK_KNOB].setValue(task)
    write[callbacks.REVIEW_SESSION_KNOB].setValue("Comp 23.976")
    nuke.scriptSave()
    write.setSelected(True)
    nodes_before = [n.name() for n in nuke.allNodes()]

    job = callbacks.publish_selected()
    assert job is not None and job.thread is not None  # the app: a worker thread
    finish(job)

    report = job.report
    assert report.ok, report.format()
    assert report.capture["fps"] == "24000/1001"
    state = nuke._fake.state
    assert re.match(r"Published v001 of \S+ in review session 'Comp 23.976'", state.messages[-1])
    assert [n.name() for n in nuke.allNodes()] == nodes_before  # the temporary Write is gone
    assert not (tmp_path / "render").exists()  # rendered through the temporary node
    (task_bar,) = state.progress_tasks
    assert task_bar.progress == sorted(task_bar.progress) and task_bar.progress[-1] == 100
    assert any(m.startswith("capture") for m in task_bar.messages)

    movie = download_component(
        embedded_server, report.component_ids["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    stream = ffprobe(movie)
    assert stream["r_frame_rate"] == "24000/1001"
    assert int(stream["nb_read_frames"]) == 8
    assert stream["codec_name"] == "h264"


def test_cancel_in_the_progress_bar_stops_before_anything_is_uploaded(
    tmp_path, comp, embedded_server, server_env
):
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}")
    nuke._fake.reset(gui=True)
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    nuke._fake.state.cancel_after_progress = 2
    mark = embedded_server.log_mark()
    job = callbacks.publish_write_node(nuke.toNode("Write1"), task=task)
    finish(job)
    report = job.report
    assert not report.ok
    assert any(error.startswith("Capture: The publish was cancelled") for error in report.errors), (
        report.errors
    )
    uploads = [r for r in embedded_server.requests_since(mark) if r["method"] == "PUT"]
    assert uploads == []


@pytest.mark.parametrize("gui", [False, True])
def test_a_failed_publish_is_reported_not_raised(tmp_path, comp, gui, capsys):
    nuke._fake.reset(gui=gui)
    callbacks.install()
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())  # never ticked, so tick it now
    write = nuke.toNode("Write1")
    write[callbacks.PUBLISH_KNOB].setValue(True)
    nuke.execute(write, 1001, 1012)  # modified script: the publish is refused, the render is not
    (job,) = callbacks.jobs
    assert (job.thread is not None) is gui  # the app publishes in a worker thread
    finish(job)
    assert Path(write["file"].value().replace("####", "1012")).is_file()
    report = callbacks.reports[-1]
    assert not report.ok
    shown = nuke._fake.state.messages[-1] if gui else capsys.readouterr().out
    assert "unsaved changes" in shown


@pytest.mark.parametrize("answer", [False, True])
def test_in_the_app_an_unsaved_script_is_saved_only_when_the_artist_says_so(
    tmp_path, comp, monkeypatch, answer
):
    monkeypatch.delenv("FTRACK_SERVER", raising=False)  # the publish stops later; saving is first
    nuke._fake.reset(gui=True)
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    nuke.toNode("Constant1")["color"].setValue(0.5)
    nuke._fake.state.ask_answers = [answer]
    finish(callbacks.publish_write_node(nuke.toNode("Write1"), task="P/sq/sh/comp"))
    asked = [m for m in nuke._fake.state.messages if "Save it now" in m]
    assert len(asked) == 1
    assert bool(nuke._fake.state.called("scriptSave")) is answer
    assert nuke.root().modified() is (not answer)
    shown = nuke._fake.state.messages[-1]
    assert shown.startswith("Not published:")
    assert ("unsaved changes" in shown) is (not answer)
