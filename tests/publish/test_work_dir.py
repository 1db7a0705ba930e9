"""A publish's temporary work folder (capture frames, the encoded movie, the thumbnail) goes away
also when its process dies: the next publish removes the folders whose owner is gone, and only
those (``ft_dcc/publish/common/work_dir.py``). A publish killed for real, and the next one that
removes its folder: ``test_publish_killed.py``.

Every test points the temp dir (TMPDIR, or ``tempfile.tempdir`` in this process) at a folder of
its own, so the machine's temp dir is neither read nor touched.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, List

import pytest
from support import make_sequence

#: a process that owns a work folder until its stdin closes (or it is killed)
OWNER = """
import sys
from ft_dcc.publish.common.work_dir import WorkDir
work = WorkDir.for_publish(None)
print(work.path, flush=True)
sys.stdin.read()
work.release()
"""
#: a pyblish UI's publish state in a process that then exits normally
UI_STATE = """
from ft_dcc.host.files import FilesHost
from ft_dcc.publish.pipeline.ui import install, context_for_ui
import sys
install(FilesHost(sys.argv[1], fps=25))
print(context_for_ui().work_dir, flush=True)
"""


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's temp dir: ``tempfile``'s in this process, TMPDIR for the processes it starts."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    monkeypatch.setenv("TMPDIR", str(path))
    return path


def _work_folders(temp: Path) -> List[Path]:
    return sorted(temp.glob("ft_dcc_publish_*"))


def _abandoned(temp: Path, name: str = "ft_dcc_publish_dead") -> Path:
    """A work folder as a killed publish leaves it: its lock file marked, and no one holding it."""
    from ft_dcc.publish.common.work_dir import LOCK_FILE, OWNED_MARK

    folder = temp / name
    (folder / "capture").mkdir(parents=True)
    (folder / "capture" / "frame.1001.png").write_bytes(b"frame")
    (folder / LOCK_FILE).write_text(OWNED_MARK, encoding="ascii")
    return folder


def _sweep(temp: Path) -> None:
    from ft_dcc.publish.common.work_dir import sweep

    sweep(temp)


@pytest.fixture
def owner(temp: Path) -> Iterator[subprocess.Popen]:
    """A live process owning a work folder in ``temp`` (stopped, waited for, at the end)."""
    process = subprocess.Popen(
        [sys.executable, "-c", OWNER],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=60)


def test_a_folder_whose_owner_lives_is_left_alone_and_removed_once_the_owner_is_killed(
    owner: subprocess.Popen, temp: Path
) -> None:
    assert owner.stdout is not None
    folder = Path(owner.stdout.readline().strip())
    assert folder.parent == temp and folder.is_dir(), f"the owner said {folder!r}"
    _sweep(temp)
    assert folder.is_dir(), "a live publish's folder is kept"
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=60)
    _sweep(temp)
    assert not folder.exists()


def test_a_folder_of_this_process_is_left_alone(temp: Path) -> None:
    from ft_dcc.publish.common.work_dir import WorkDir

    work = WorkDir.for_publish(None)
    try:
        _sweep(temp)
        assert work.path.is_dir()
    finally:
        work.release()
    assert not work.path.exists()


def test_a_folder_without_the_lock_file_is_left_alone(temp: Path) -> None:
    older = temp / "ft_dcc_publish_older"  # an older version's, or not ours
    older.mkdir()
    (older / "review.mp4").write_bytes(b"movie")
    _sweep(temp)
    assert (older / "review.mp4").read_bytes() == b"movie"


def test_a_folder_whose_owner_has_not_marked_its_lock_yet_is_left_alone(temp: Path) -> None:
    from ft_dcc.publish.common.work_dir import LOCK_FILE

    folder = temp / "ft_dcc_publish_new"  # made, its lock file created, not yet locked
    folder.mkdir()
    (folder / LOCK_FILE).touch()
    _sweep(temp)
    assert (folder / LOCK_FILE).is_file()


def test_a_symlink_or_a_file_named_like_a_work_folder_is_left_alone(
    tmp_path: Path, temp: Path
) -> None:
    target = _abandoned(tmp_path, "elsewhere")  # would be removed if it were in the temp dir
    link = temp / "ft_dcc_publish_link"
    link.symlink_to(target, target_is_directory=True)
    plain = temp / "ft_dcc_publish_file"
    plain.write_text("not a folder", encoding="utf-8")
    _sweep(temp)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target / "capture" / "frame.1001.png").read_bytes() == b"frame"
    assert plain.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_another_users_folder_is_left_alone(temp: Path) -> None:
    folder = _abandoned(temp, "ft_dcc_publish_theirs")
    os.chown(folder, 65534, 65534)
    _sweep(temp)
    assert (folder / "capture" / "frame.1001.png").is_file()


def test_a_dead_publishs_folder_is_removed(temp: Path) -> None:
    _abandoned(temp)
    _sweep(temp)
    assert _work_folders(temp) == []


def test_a_folder_that_cannot_be_removed_is_logged_and_skipped(
    temp: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ft_dcc.publish.common import work_dir

    stuck = _abandoned(temp, "ft_dcc_publish_stuck")
    removable = _abandoned(temp, "ft_dcc_publish_removable")
    real_rmtree = work_dir.shutil.rmtree

    def rmtree(path: str, ignore_errors: bool = False) -> None:
        if Path(path) != stuck:
            real_rmtree(path, ignore_errors=ignore_errors)
        elif not ignore_errors:
            raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(work_dir.shutil, "rmtree", rmtree)
    with caplog.at_level(logging.WARNING, logger=work_dir.__name__):
        _sweep(temp)
    assert stuck.is_dir() and not removable.exists()
    assert str(stuck) in caplog.text


def test_a_given_work_dir_is_neither_swept_nor_removed(tmp_path: Path, temp: Path) -> None:
    from ft_dcc.publish.common.work_dir import WorkDir

    given = _abandoned(temp, "ft_dcc_publish_given")  # the caller's, whatever it looks like
    (given / "ft_dcc_owner.lock").unlink()
    work = WorkDir.for_publish(given)
    work.release()
    assert work.path == given and (given / "capture" / "frame.1001.png").is_file()


def test_a_pyblish_uis_work_folder_is_removed_by_the_next_one_and_at_exit(
    tmp_path: Path, temp: Path
) -> None:
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish.pipeline import ui

    pattern = make_sequence(tmp_path / "frames", frames=2, start=1001)
    ui.install(FilesHost(str(pattern), fps=25))
    first = ui.context_for_ui().work_dir
    second = ui.context_for_ui().work_dir
    assert first is not None and second is not None
    assert not first.exists() and second.is_dir()
    done = subprocess.run(
        [sys.executable, "-c", UI_STATE, str(pattern)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert not Path(done.stdout.strip()).exists(), "an exiting process removes its UI folder"
    assert _work_folders(temp) == [second]
    ui.release_work_dir()
    assert _work_folders(temp) == []
