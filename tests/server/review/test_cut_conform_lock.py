"""The conformed cut across the server's worker processes (no HTTP: what each worker's
:class:`~ft_dcc.server.review.cut_conform.Conformer` does with the file store they share): while
another process holds a movie's build lock (it builds it), this one answers ``building`` and
builds nothing; once the movie is in the store, a worker that never built it (a Conformer of its
own) answers ``ready`` at once; a failed build is said, not tried again for the same cut, and a
new revision is built and the movie it replaces removed."""

from __future__ import annotations

import fcntl
import subprocess
import types
from pathlib import Path
from typing import Any, Dict

import imageio_ffmpeg
from support.waiting import wait_until

from ft_dcc.server.review.cut.cut_conform import BUILDING, FAILED, READY, Conformer, conform_id


def _store(tmp_path: Path) -> Any:
    files = tmp_path / "files"
    files.mkdir()
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
         "testsrc=s=160x90:r=24:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4",
         str(files / "movie1")],
        check=True,
    )  # fmt: skip
    return types.SimpleNamespace(root=files, path_for=lambda ident: files / ident)


def _plan(revision: int, movie_id: str = "movie1") -> Dict[str, Any]:
    segment = {"object_id": "o1", "movie_id": movie_id, "movie": "/m", "label": "sh010 comp v001",
               "source_in": 1003, "source_out": 1015, "record_in": 86400, "record_out": 86412,
               "frame_in": 1001, "frame_end": 1049, "movie_rate": 24, "refused": ""}  # fmt: skip
    later = dict(segment, object_id="o2", source_in=1020, source_out=1030, record_in=86416,
                 record_out=86426)  # fmt: skip
    return {"rate": 24.0, "revision": revision, "segments": [segment, later]}


def _settled(conformer: Conformer) -> bool:
    return not conformer._queued  # its worker took the build and is done with it


def test_one_process_builds_and_the_others_see_it_ready(tmp_path: Path) -> None:
    store = _store(tmp_path)
    plan = _plan(1)
    mine = Conformer(store)
    ident = conform_id("s1", plan)
    target = mine.movie("s1", ident)
    target.parent.mkdir(parents=True)
    with open(target.with_suffix(".lock"), "a") as other:  # another worker builds it
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        assert mine.state("s1", plan).state == BUILDING
        wait_until(lambda: _settled(mine), "the build asked for", timeout=300)
        assert mine.state("s1", plan).state == BUILDING
        assert not target.exists() and not target.with_suffix(".failed").exists()
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
    # the lock free (that worker gone without a movie): the next ask builds it here
    wait_until(lambda: mine.state("s1", plan).state == READY, "the cut built", timeout=300)
    made = target.stat().st_mtime_ns
    elsewhere = Conformer(store)  # another worker process: nothing shared but the store
    assert elsewhere.state("s1", plan) == mine.state("s1", plan)
    assert elsewhere.state("s1", plan).id == ident and target.stat().st_mtime_ns == made

    # a new revision: another movie, the one it replaces removed once it is there
    revised = _plan(2)
    assert mine.state("s1", revised).state == BUILDING
    wait_until(lambda: mine.state("s1", revised).state == READY, "revision 2 built", timeout=300)
    # its worker removes the one replaced just after the new one is there: not at the same moment
    wait_until(lambda: _settled(mine) and not target.exists(), "revision 1 removed", timeout=300)
    assert mine.movie("s1", conform_id("s1", revised)).is_file()


def test_a_failed_build_is_said_and_not_tried_again(tmp_path: Path) -> None:
    store = _store(tmp_path)
    (store.root / "broken").write_bytes(b"not a movie")
    plan = _plan(1, movie_id="broken")
    conformer = Conformer(store)
    conformer.state("s1", plan)
    wait_until(lambda: conformer.state("s1", plan).state != BUILDING, "the build ended", 300)
    failed = conformer.state("s1", plan)
    assert failed.state == FAILED
    assert "sh010 comp v001" in failed.error and "cannot be read" in failed.error
    assert failed.as_json() == {"state": FAILED, "error": failed.error}
    assert _settled(conformer) and conformer.state("s1", plan) == failed  # not queued again
