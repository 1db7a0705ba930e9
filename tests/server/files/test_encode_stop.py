"""A server stopping while an encode job runs leaves no ffmpeg behind, even one the job starts
after the stop began: the job is marked ``running`` before its ffmpeg starts (the first encode
imports ``ft_dcc.media`` and probes the source first), and a stop that swept the server's ffmpeg
children once, in that moment, found none and let the job start one that ran orphaned (seen under
load: ``test_stopping_mid_encode_is_prompt_and_the_job_fails_on_restart`` left a server ffmpeg).
"""

from __future__ import annotations

import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
from support.waiting import wait_until

from ft_dcc.server.files import encode
from ft_dcc.server.files.filestore import FileStore

#: bounds that turn a hang into a failure; the late ffmpeg would run for ten minutes
WAIT_SECONDS = 120


def test_an_ffmpeg_the_job_starts_after_the_stop_began_is_stopped_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ffmpeg = encode.ffmpeg_exe()  # found (it runs ffmpeg -version) before the stop sweeps
    swept = threading.Event()
    sweep = encode._terminate_ffmpeg_children

    def first_sweep_then_note() -> None:
        sweep()
        swept.set()

    monkeypatch.setattr(encode, "_terminate_ffmpeg_children", first_sweep_then_note)
    batches: List[Any] = []
    files = FileStore(tmp_path / "files", b"k" * 32)
    encoder = encode.MediaEncoder(files, lambda ops, user: batches.append(ops), lambda *_: [])
    entered = threading.Event()
    late: List[subprocess.Popen] = []

    def encode_after_the_sweep(source: str, outputs: Dict[str, str], data: Dict[str, Any]) -> Any:
        entered.set()
        assert swept.wait(WAIT_SECONDS)  # the stop swept the children: this one comes after
        command = [ffmpeg, "-nostdin", "-v", "error", "-re", "-f", "lavfi",
                   "-i", "testsrc=duration=600:size=32x32:rate=5", "-f", "null", "-"]  # fmt: skip
        late.append(subprocess.Popen(command))
        raise RuntimeError(f"ffmpeg ended with {late[0].wait()}")

    monkeypatch.setattr(encoder, "_encode_files", encode_after_the_sweep)
    outputs = {"review": str(uuid.uuid4()), "thumbnail": str(uuid.uuid4())}
    encoder._queue.put((str(uuid.uuid4()), str(uuid.uuid4()), None, outputs,
                        {"keep_original": True}, "user"))  # fmt: skip
    assert entered.wait(WAIT_SECONDS)
    try:
        encoder.shutdown()
        wait_until(lambda: bool(late), "the job's ffmpeg to start", WAIT_SECONDS)
        wait_until(lambda: late[0].poll() is not None,
                   "the ffmpeg the job started after the stop began to be stopped",
                   WAIT_SECONDS)  # fmt: skip
    finally:
        for process in late:
            process.kill()
            process.wait()
