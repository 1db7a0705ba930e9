"""What a person sees at the terminal after ``ft-dcc publish``, read back
through a VT100 emulator: a short summary naming the asset (every step with ``-v``), each
warning once, the upload counting every byte sent, and whole labels on a pseudo-terminal that
reports no width (``script`` run from a pipe)."""

from __future__ import annotations

import json
import re
import uuid

from support import make_task, open_session
from support.media import make_sequence
from support.terminal import ft_dcc_in_pty, screen_lines

from ft_dcc.publish.common.report import EXIT_QUEUED

BAR_LINE = re.compile(r"^  (\w+) +\[[#.]{24}\] +\d{1,3}% ")


def _size_text(total: int) -> str:
    """The console's way of writing a byte count (ft_dcc.console.detail)."""
    unit, size = ("MB", 1024 * 1024) if total >= 1024 * 1024 else ("kB", 1024)
    return f"{total / size:.1f}/{total / size:.1f} {unit}"


def test_a_publish_is_a_short_summary_with_each_warning_once(
    ftrack_env, tmp_path, artifacts_dir
) -> None:
    with open_session(ftrack_env, tmp_path) as session:
        task = make_task(session, f"term{uuid.uuid4().hex[:8]}", fstart=None, fend=None, fps=25)
    frames = make_sequence(tmp_path / "seq", frames=12, size="640x360", name="plate")
    report_file = tmp_path / "report.json"
    code, output = ft_dcc_in_pty(
        ["publish", str(frames), "--task", task, "--review-session", "Term dailies",
         "--report", str(report_file)]
    )  # fmt: skip
    lines = screen_lines(output)
    (artifacts_dir / "cli-summary-tty.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = "\n".join(lines)
    assert code == 0, text
    assert not any("[ok" in line for line in lines), text  # no line per passing step
    summary = next(line for line in lines if line.startswith("Published"))
    assert summary.startswith("Published v001 of plate in review session 'Term dailies'"), text
    assert text.count("has no frame range set") == 1, text  # the shot's range is a default
    report = json.loads(report_file.read_text(encoding="utf-8"))
    with open_session(ftrack_env, tmp_path) as session:
        sizes = [
            session.get("Component", report["component_ids"][name])["size"]
            for name in ("ftrackreview-mp4", "thumbnail")
        ]
    (upload,) = [line for line in lines if line.startswith("  upload ")]
    assert f" {_size_text(sum(sizes))} " in upload, (upload, sizes)  # movie AND thumbnail

    code, output = ft_dcc_in_pty(
        ["-v", "publish", str(frames), "--task", task, "--review-session", "Term dailies"]
    )
    verbose = screen_lines(output)
    assert code == 0, "\n".join(verbose)
    assert sum("[ok  ]" in line for line in verbose) >= 10, "\n".join(verbose)  # -v: each step


def test_labels_keep_their_last_letter_on_a_terminal_without_width(
    offline_env, tmp_path, artifacts_dir
) -> None:
    frames = make_sequence(tmp_path / "seq", frames=6)
    code, output = ft_dcc_in_pty(
        ["publish", str(frames), "--task", "demo/sq/sh/comp", "--fps", "25"], columns=0
    )
    lines = screen_lines(output)
    assert code == EXIT_QUEUED, "\n".join(lines)
    (artifacts_dir / "cli-progress-zero-width.txt").write_text("\n".join(lines) + "\n")
    bars = [line for line in lines if BAR_LINE.match(line)]
    assert [line.split()[0] for line in bars] == ["capture", "encode", "verify", "thumbnail"]
    assert all(re.search(r"\d+(\.\d)?s$", line) for line in bars), "\n".join(bars)
    assert b"movie verified" in output, output  # a message is drawn whole


def test_queue_and_server_share_one_app_data_folder_and_old_queues_move_in(
    tmp_path, monkeypatch
) -> None:
    from ft_dcc.publish.offline.queue import OfflineQueue, default_queue_dir
    from ft_dcc.server.runtime.config import default_data_dir

    monkeypatch.delenv("FT_DCC_QUEUE_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    old = tmp_path / "data" / "ft-dcc" / "queue" / "20261122T164522-1234"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}", encoding="utf-8")
    queue = default_queue_dir()
    assert queue.parent == default_data_dir().parent, (queue, default_data_dir())
    assert (queue / old.name / "manifest.json").is_file()  # the queued work moved, not lost
    assert not old.exists()
    assert OfflineQueue().directory == queue
