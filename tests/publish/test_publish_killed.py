"""A publishing client killed (SIGKILL, SIGINT) anywhere: never half a version, never lost.

Each publish runs in its own process (``python -m`` of :data:`SCRIPT`, a child of the test
process's zygote: ``support.launcher``, with Python's own Ctrl-C handling), with its own
offline queue, and stops itself at one fault point (``FT_DCC_FAULT_AT``; the extract
boundaries through plugins on ``PYBLISHPLUGINPATH``).
Then ``ft-dcc queue flush`` runs twice on each queue. A publish stopped before its media were
journaled wrote nothing anywhere; every later one ends as exactly one complete version: the
review movie and the thumbnail in ``ftrack.server``, the thumbnail set, a review object
labelled with the version number. (With one queue for all, a publish that started late first
published another's journaled work — the queue's order rule — and its fault point stopped it
in that work, before its own was journaled: seen on a busy machine.)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Any, Dict, List, Tuple, Union

import pytest
from support import launcher, make_sequence, make_task, open_session
from support.cli import run_ft_dcc

from ft_dcc.publish.context.tasks import resolve_task

HERE = Path(__file__).parent
#: (fault point, whether the publish's media were journaled before it)
POINTS = [
    ("capture", False),
    ("encode", False),
    ("journaled", True),
    ("mid-upload", True),
    ("uploaded", True),
    ("committed", True),
    ("before-event", True),
]
SIGNALS = ("KILL", "INT")
SCRIPT = """
import sys
from ft_dcc.publish import publish
from ft_dcc.host.files import FilesHost
task, session_name, asset, pattern = sys.argv[1:5]
report = publish(FilesHost(pattern, fps=25), task=task, review_session_name=session_name,
                 asset_name=asset)
print(report)
"""


def _start_publish(
    folder: Path, env: Dict[str, str], *args: str, script: str = SCRIPT
) -> Tuple[Union[launcher.Launched, subprocess.Popen], IO[bytes]]:
    """``script`` (default :data:`SCRIPT`) with ``args`` as ``python -m`` runs it (from
    ``folder``, one script a folder), in ``env``; its output (stdout and stderr) goes to the
    returned file. Started through the zygote, its child has Python's own Ctrl-C handling
    (``KeyboardInterrupt``) as a terminal's would, also when this test runs as a background job
    (whose children start with SIGINT ignored)."""
    module = folder / "killed_publish.py"
    if not module.is_file():  # once: a child may be reading it while the next one starts
        folder.mkdir(parents=True, exist_ok=True)
        module.write_text(script, encoding="utf-8")
    output = tempfile.TemporaryFile()  # noqa: SIM115 - read and closed by _finished
    process = launcher.launch(
        list(args), env=env, cwd=folder, stdin=subprocess.DEVNULL, stdout=output,
        stderr=subprocess.STDOUT, module="killed_publish",
    )  # fmt: skip
    return process, output


def _finished(process: Union[launcher.Launched, subprocess.Popen], output: IO[bytes]) -> str:
    """What the started publish printed, once it has ended (4 minutes at most)."""
    process.wait(timeout=240)
    output.seek(0)
    with output:
        return output.read().decode(errors="replace")


def _env(server: Any, queue: Path, temp: Path, point: str = "", signal: str = "") -> Dict[str, str]:
    """A publish's or flush's environment: ``queue`` its offline queue, ``temp`` its temp dir
    (TMPDIR: the work folders a killed publish leaves stay in the test's folder)."""
    temp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        TMPDIR=str(temp),
        FTRACK_SERVER=server.url,
        FTRACK_API_USER=server.api_user,
        FTRACK_API_KEY=server.api_key,
        FT_DCC_QUEUE_DIR=str(queue),
        PYBLISHPLUGINPATH=str(HERE / "fault_plugins"),
        FT_DCC_FAULT_AT=point,
        FT_DCC_FAULT_SIGNAL=signal,
    )
    return env


def _complete(check: Any, versions: List[Any]) -> bool:
    (version,) = versions
    components = check.query(
        "select name, component_locations.location_id from Component "
        f'where version_id is "{version["id"]}"'
    ).all()
    names = {c["name"] for c in components if c["component_locations"]}
    objects = check.query(
        f'select version from ReviewSessionObject where version_id is "{version["id"]}"'
    ).all()
    return (
        names == {"ftrackreview-mp4", "thumbnail"}
        and version["thumbnail_id"] in {c["id"] for c in components}
        and [o["version"] for o in objects] == [f"v{version['version']:03d}"]
    )


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_a_killed_publish_is_finished_by_the_flush_or_never_started(
    embedded_server, tmp_path: Path
) -> None:
    setup = open_session(embedded_server, tmp_path / "setup")
    task_id = resolve_task(setup, None, make_task(setup))["id"]
    pattern = make_sequence(tmp_path / "frames", frames=12, start=1001)
    queues = tmp_path / "queues"
    session_name = f"Killed {tmp_path.name}"
    runs = {}
    outputs: Dict[str, str] = {}
    for point, _ in POINTS:
        for signal in SIGNALS:
            asset = f"{point}-{signal}".lower()
            runs[asset] = _start_publish(
                tmp_path / "script",
                _env(embedded_server, queues / asset, tmp_path / "tmp", point, signal),
                task_id, session_name, asset, str(pattern),
            )  # fmt: skip
    for asset, (process, printed) in runs.items():
        output = _finished(process, printed)
        outputs[asset] = output
        stopped = (
            process.returncode == -9
            if asset.endswith("kill")
            else ("KeyboardInterrupt" in output or process.returncode == -2)
        )
        assert stopped, f"{asset} was not stopped ({process.returncode}):\n{output[-2000:]}"
    for queue in sorted(path for path in queues.glob("*") if any(path.iterdir())):
        for flush in range(2):
            done = run_ft_dcc(
                ["-v", "queue", "flush"],
                env=_env(embedded_server, queue, tmp_path / "tmp"),
                check=True,
                timeout=240,
                text=False,
            )
            said = (done.stdout + done.stderr).decode(errors="replace")
            outputs[f"flush {flush} of {queue.name}"] = said
    assert not list(queues.glob("*/*/manifest.json")), "nothing is left queued"
    check = open_session(embedded_server, tmp_path / "check")
    for point, journaled in POINTS:
        for signal in SIGNALS:
            asset = f"{point}-{signal}".lower()
            versions = check.query(
                "select id, version, thumbnail_id from AssetVersion "
                f'where task_id is "{task_id}" and asset.name is "{asset}"'
            ).all()
            said = f"{asset}: {versions}\n{_said(outputs, asset)}"
            if journaled:
                assert len(versions) == 1 and _complete(check, versions), said
            else:
                assert versions == [], said


def _said(outputs: Dict[str, str], asset: str) -> str:
    """What every publish and flush printed, ``asset``'s first (for a failure's message)."""
    names = [asset] + [name for name in outputs if name != asset]
    return "\n".join(f"--- {name}\n{outputs[name][-2500:]}" for name in names if name in outputs)


def test_the_next_publish_finishes_one_that_was_killed_and_removes_its_work_folder(
    embedded_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish import publish

    setup = open_session(embedded_server, tmp_path / "setup")
    task_id = resolve_task(setup, None, make_task(setup))["id"]
    pattern = make_sequence(tmp_path / "frames", frames=12, start=1001)
    queue, temp = tmp_path / "queue", tmp_path / "tmp"
    env = _env(embedded_server, queue, temp, "uploaded", "KILL")
    killed, printed = _start_publish(tmp_path / "script", env, task_id, "Next", "killed",
                                     str(pattern))  # fmt: skip
    output = _finished(killed, printed)
    assert killed.returncode == -9, output[-2000:]
    (left,) = temp.glob("ft_dcc_publish_*")  # its work folder (work_dir.py), the movie in it
    assert list(left.glob("*.mp4")), list(left.iterdir())
    assert len(list(queue.glob("*/manifest.json"))) == 1  # the journal entry it left
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # the next publish's temp dir: the same
    report = publish(
        FilesHost(pattern, fps=25),
        task=task_id,
        review_session_name="Next",
        asset_name="next",
        session=open_session(embedded_server, tmp_path / "next"),
        queue_dir=queue,
    )
    assert report.ok, str(report)
    assert not list(queue.glob("*/manifest.json"))
    assert not list(temp.glob("ft_dcc_publish_*")), "the killed one's folder and its own are gone"
    for asset in ("killed", "next"):
        versions = setup.query(
            "select id, version, thumbnail_id from AssetVersion "
            f'where task_id is "{task_id}" and asset.name is "{asset}"'
        ).all()
        assert _complete(setup, versions), asset
