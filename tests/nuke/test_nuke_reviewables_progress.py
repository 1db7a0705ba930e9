"""Progress across several ticked Writes in one publish: the app's ``nuke.ProgressTask``
says which Write of how many it renders and encodes, and keeps moving through the second."""

from __future__ import annotations

import uuid

import nuke
from ft_dcc_hosts.nuke import callbacks
from support import make_task, open_session


def test_the_progress_task_names_each_write_and_advances_through_both(
    tmp_path, comp, embedded_server, server_env
):
    server_env(embedded_server)
    task = make_task(open_session(embedded_server, tmp_path), f"nk{uuid.uuid4().hex[:8]}")
    callbacks.add_review_knobs(comp)
    other = nuke.nodes.Write(file=(tmp_path / "alt" / "alt.####.png").as_posix())
    other.setInput(0, comp.input(0))
    callbacks.add_review_knobs(other)
    for write in (comp, other):
        write[callbacks.PUBLISH_KNOB].setValue(True)
    comp[callbacks.TASK_KNOB].setValue(task)
    nuke.scriptSave()
    script = nuke.root()["name"].value()
    nuke._fake.reset(gui=True)
    nuke.scriptOpen(script)

    job = callbacks.publish_ticked()
    assert job is not None and job.thread is not None  # the app: a worker thread
    state = nuke._fake.state
    state.run_main_thread(until=job.done)
    state.run_main_thread(until=state.main_queue.empty)

    assert job.report.ok, job.report.format()
    (bar,) = state.progress_tasks
    assert any(m.startswith("capture: Write1 (1 of 2)") for m in bar.messages), bar.messages
    assert any(m.startswith("capture: Write2 (2 of 2)") for m in bar.messages), bar.messages
    assert any(m.startswith("encode: Write2 (2 of 2)") for m in bar.messages), bar.messages
    assert bar.progress == sorted(bar.progress) and bar.progress[-1] == 100
    pairs = list(zip(bar.messages, bar.progress))
    first = [p for m, p in pairs if "(1 of 2)" in m]
    second = [p for m, p in pairs if "(2 of 2)" in m]
    assert max(second) > max(first) and len(set(second)) > 1, pairs  # moves through Write2
