"""The README's commands, and those of the docs' quick starts, work as pasted after ``make demo``.

Every ```` ```bash ```` block of ``README.md`` and of each ``## Quick start`` section of
``docs/*.md`` is run, command by command, in a bash shell at the repository root, as a user who
just cloned it would paste them: the README's blocks in one terminal (in their order, ``make demo``
first), each doc's quick start in a terminal of its own afterwards. Nothing in a command is
changed. What the test sets is the terminal around them:

- ``HOME`` is a temporary folder, so ``~/.local/share/ft_dcc`` (the demo's data, its server's
  ``credentials.env``, the offline queue) is a temporary data dir;
- ``PORT`` is a free port, which ``make demo`` reads as ``make demo PORT=...`` (documented);
- ``PATH`` does not hold ``.venv/bin`` and no ``FTRACK_*``/``FT_DCC_*`` variable leaks in;
- ``FT_DCC_DEMO_FRAMES``/``FT_DCC_DEMO_SIZE`` make ``make demo``'s scene a 12-frame 320x180
  shot (its defaults: 48 at 960x540): every command after it that renders or encodes the demo's
  frames (the README's publish, the farm's capture parts and encode, the movie publish) does so
  at the scene's size, 36 times fewer pixels (55 -> 11 tree CPU-s for this test); the test checks
  that the commands work, not the playblast's size;
- ``make`` on its ``PATH`` is make with ``-o .venv/.installed-dev -o .venv/.compiled``: the venv
  the tests run in stands for the one ``make demo`` makes, and is not reinstalled or compiled
  again under the running suite (make does not take ``-o`` from ``MAKEFLAGS``).

One command is not run: ``make test`` (the README's second command), because a test cannot run
the suite it is part of; ``tests/test_doorstep.py`` holds CI to it.

A command that exits non-zero fails the test with its output.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from support.machine_tmp import assert_nothing_left_in_machine_tmp
from support.net import free_port
from support.user_env import clean_environ

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
FENCE = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)
QUICK_START = re.compile(r"^(#{2,}) Quick start\b.*$", re.M | re.I)
#: the docs that have a quick start (a doc losing its own fails the test)
DOCS_WITH_QUICK_START = ("farm.md", "publishing.md", "reviewers.md")
MARK = "@@ft-dcc-readme-test@@"

needs_bpy = pytest.mark.skipif(
    importlib.util.find_spec("bpy") is None, reason="the bpy module is not installed"
)


def bash_blocks(markdown: str) -> List[str]:
    return [match.group(1) for match in FENCE.finditer(markdown)]


def quick_start_sections(markdown: str) -> List[str]:
    """The text of each ``Quick start`` section, up to the next heading of its level or above."""
    sections = []
    for match in QUICK_START.finditer(markdown):
        level = len(match.group(1))
        rest = markdown[match.end() :]
        end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
        sections.append(rest[: end.start()] if end else rest)
    return sections


def commands(block: str) -> List[str]:
    """The block's commands: ``\\``-continued lines joined, blank and comment lines left out."""
    found: List[str] = []
    pending = ""
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        found.append(pending + line)
        pending = ""
    assert not pending, f"a block ends in a continued line: {pending!r}"
    return found


def is_the_suite(command: str) -> bool:
    """``make test``: the suite this test is part of (not run here, see the docstring)."""
    return command.split("#")[0].split() == ["make", "test"]


def readme_commands() -> List[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return [c for b in bash_blocks(text) for c in commands(b) if not is_the_suite(c)]


def docs_quick_starts() -> Iterator[Tuple[str, List[str]]]:
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        found = [c for s in quick_start_sections(text) for b in bash_blocks(s) for c in commands(b)]
        if found:
            yield page.name, found


def script(lines: List[str]) -> str:
    """A bash script running each command, printing its exit status, stopping at a failure."""
    parts = ["cd " + _quote(str(ROOT))]
    for number, command in enumerate(lines):
        parts += [
            f"printf '\\n{MARK} {number} start\\n'",
            command,
            f"__rc=$?; printf '\\n{MARK} {number} exit %d\\n' $__rc; [ $__rc -eq 0 ] || exit $__rc",
        ]
    return "\n".join(parts) + "\n"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def run_terminal(lines: List[str], env: Dict[str, str], folder: Path) -> Dict[int, Tuple[int, str]]:
    """Run ``lines`` in one bash (from a script file: a command reading its input must not
    read the commands after it); each command's (exit status, output)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"terminal-{len(list(folder.iterdir()))}.sh"
    path.write_text(script(lines), encoding="utf-8")
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", str(path)],
        stdin=subprocess.DEVNULL, env=env, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=1200, check=False,
    )  # fmt: skip
    outcomes: Dict[int, Tuple[int, str]] = {}
    output = result.stdout
    for number in range(len(lines)):
        start = output.find(f"{MARK} {number} start\n")
        done = re.search(rf"{re.escape(MARK)} {number} exit (\d+)\n", output)
        if start < 0:
            break
        text = output[start : done.start() if done else len(output)]
        outcomes[number] = (int(done.group(1)) if done else -1, text)
    return outcomes


def make_shim(folder: Path) -> Path:
    """A ``make`` that never remakes the venv's stamp (see the module docstring)."""
    make = shutil.which("make")
    assert make, "make is not installed"
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "make"
    script = f'#!/bin/sh\nexec {make} -o .venv/.installed-dev -o .venv/.compiled "$@"\n'
    shim.write_text(script, encoding="utf-8")
    shim.chmod(0o755)
    return folder


def terminal_env(home: Path, port: int, shims: Path) -> Dict[str, str]:
    env = {k: v for k, v in clean_environ().items() if not k.startswith("XDG_")}
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(name, None)
    venv_bins = {str(VENV_BIN), str(Path(sys.prefix) / "bin"), str(Path(sys.executable).parent)}
    path = [p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p not in venv_bins]
    (home / "tmp").mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([str(shims), *path]),
        PORT=str(port),
        TMPDIR=str(home / "tmp"),  # a Blender's PulseAudio folder, not in the machine's /tmp
        FT_DCC_DEMO_FRAMES="12",  # a small demo shot (see the module docstring)
        FT_DCC_DEMO_SIZE="320x180",
    )
    return env


def assert_all_ran(name: str, lines: List[str], outcomes: Dict[int, Tuple[int, str]]) -> None:
    for number, command in enumerate(lines):
        status, output = outcomes.get(number, (None, "(not run: an earlier command failed)"))
        assert status == 0, f"{name}: `{command}` exited {status}:\n{output[-4000:]}"


def test_the_extraction_finds_every_block() -> None:
    """The parsing this test relies on: the README's commands and each doc's quick start."""
    found = readme_commands()
    every = [c for b in bash_blocks((ROOT / "README.md").read_text("utf-8")) for c in commands(b)]
    assert [c for c in every if c not in found] == ["make test    # the whole test suite"]
    assert found[0].split("#")[0].strip() == "make demo"
    assert any(c.startswith("ft-dcc publish") for c in found), found
    docs = dict(docs_quick_starts())
    assert set(DOCS_WITH_QUICK_START) <= set(docs), sorted(docs)
    assert commands("a \\\n  b\n# c\n\nd") == ["a    b", "d"]


@pytest.mark.slow
@pytest.mark.blender
@needs_bpy
def test_readme_and_quick_start_commands_work_as_pasted_after_make_demo(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = terminal_env(home, port, make_shim(tmp_path / "shims"))
    data = home / ".local" / "share" / "ft_dcc"
    try:
        readme = readme_commands()
        outcomes = run_terminal(readme, env, tmp_path / "terminals")
        assert_all_ran("README.md", readme, outcomes)
        # make demo printed the scene it wrote, and the README's next commands with it
        printed = outcomes[0][1]
        assert f"Started the embedded ftrack server at http://127.0.0.1:{port}" in printed  # PORT
        scene = data / "demo" / "ft_dcc_demo.blend"
        assert f"Scene:     {scene}" in printed, printed[-3000:]
        assert f"ft-dcc publish {scene} --host blender --task ft_dcc_demo/" in printed
        for page, lines in docs_quick_starts():
            assert_all_ran(f"docs/{page}", lines, run_terminal(lines, env, tmp_path / "terminals"))
    finally:
        stopped = subprocess.run(
            [str(VENV_BIN / "ft-dcc"), "demo", "--stop"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not (data / "demo-server.pid").exists()
    assert_nothing_left_in_machine_tmp(tmp_path)
