"""``python -m ft_dcc ...`` for the tests without paying the interpreter's start and imports.

The suite starts about 200 embedded servers and runs the CLI about 350 times; each new
``python -m ft_dcc`` spent a third of a CPU-second (servers) or most of its 0.2 (CLI) starting
the interpreter and importing SQLAlchemy, Starlette, uvicorn, lark and ft_dcc. Each test process
now starts one *zygote* (``support/zygote.py``) the first time it needs one: a Python that has
imported all that once, and forks a child per :func:`launch` that becomes what ``python -m
ft_dcc ARGV`` would have been, with the given environment (replacing the zygote's, not added to
it), working directory, umask and standard streams, default signal handlers and a fresh
``random`` state. The child's exit status comes back through the zygote, which reaps it; the
caller gets a :class:`Launched`, which answers like ``subprocess.Popen`` (``pid``, ``poll``,
``wait``, ``send_signal``, ``terminate``, ``kill``, ``returncode``).

:func:`launch` starts a real subprocess instead when a fork would not be the same program: an
interpreter setting in ``env`` the zygote was not started with (``PYTHON*``, the locale), a
``subprocess.PIPE`` stream, or a zygote that is gone or failed.

Which tests start ``ft_dcc`` through :func:`launch` (or ``support.cli.run_ft_dcc``) and which
exec a Python of their own: a test runs ``python -m ft_dcc ...`` (or ``ft-dcc ...``: the
console script calls the same ``ft_dcc.cli.main``) through the launcher unless a fresh
interpreter is what it checks. These keep their own exec'd Python, and why:

- start-up time and imports (``test_cli_startup``, ``test_lazy_imports``,
  ``test_start_imports``): a fork inherits the zygote's imports;
- the installed console script, the README's commands and the doorstep (``test_readme_commands``,
  ``test_doorstep``, ``test_install_names``, ``test_foundation``): the script and ``PATH`` as a
  user has them;
- a host's Python or a bare one (``-S -I``: the headless protocol, the Python path, the
  self-contained install, the fake hosts): ``sys.path`` and the imports are the point;
- the farm's step processes that ``openjd run`` starts with a bundle's ``FtDccPython`` other
  than :func:`step_python` (a bare Python, the default ``python3``, a pasted command):
  ``openjd run`` starts them, not the tests. With :func:`step_python` (``farm_helpers.submit``)
  each step is a child of the zygote too (``support/step_python.py``). ``openjd run`` and
  ``openjd check`` themselves are children of the zygote, ``python -m openjd``: the zygote
  imports openjd on its first use, ``zygote.ON_FIRST_USE``; ``openjd`` commands run in bash
  as pasted stay exec'd;
- pytest run inside a test (``test_scheduling``, ``test_shared_servers``) and scripts that
  measure or hold something in a process of their own (``test_linear_patterns``,
  ``test_data_lock``'s holder, ``test_demo_port``, ``test_work_dir``'s owners and exit, the
  genuine client of ``test_action_handler``);
- the launcher's own comparison of a fork with a real ``python -m`` (``test_launcher``).

A command given an interpreter setting (``PYTHONPATH`` for the host it starts:
``support.user_env``) is exec'd by :func:`launch` itself; a headless host needs none (the
publish request carries its Python path: ``ft_dcc.host.pythonpath``).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, Dict, List, Mapping, Optional, Sequence, Union

ZYGOTE_SCRIPT = Path(__file__).with_name("zygote.py")
STEP_SCRIPT = Path(__file__).with_name("step_python.py")
#: environment variables the interpreter reads at start-up: a child needing other values than
#: the zygote's gets a real interpreter
INTERPRETER_PREFIXES = ("PYTHON", "LC_", "LANG")
#: set to "0" to start every ``ft_dcc`` process as a real subprocess (to compare)
DISABLE_ENV = "FT_DCC_TEST_ZYGOTE"

Stream = Union[None, int, IO[Any]]


def _interpreter_env(env: Mapping[str, str]) -> Dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(INTERPRETER_PREFIXES)}


class Zygote:
    """The test process's zygote: its process and our end of its control socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.env = dict(os.environ)
        #: the zygote's files (the new database it copies), removed once it has ended
        self.folder = tempfile.mkdtemp(prefix="ft-dcc-zygote-")
        self.process = subprocess.Popen(
            [sys.executable, str(ZYGOTE_SCRIPT), str(theirs.fileno()), self.folder],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self.control = ours
        self.interpreter_env = _interpreter_env(self.env)
        self.failed = False
        self.step_python = self._write_step_python()

    def _write_step_python(self) -> str:
        """The executable ``support/step_python.py`` of this zygote (its docstring says what)."""
        config = {
            "socket": os.path.join(self.folder, "launch.sock"),  # zygote.LISTEN_NAME
            "python": sys.executable,
            "interpreter_env": self.interpreter_env,
        }
        with open(os.path.join(self.folder, "step_python.json"), "w", encoding="utf-8") as file:
            json.dump(config, file)  # step_python.CONFIG_NAME
        path = os.path.join(self.folder, "python")
        with open(path, "w", encoding="utf-8") as file:
            file.write(f"#!{sys.executable} -SI\n{STEP_SCRIPT.read_text(encoding='utf-8')}")
        os.chmod(path, 0o755)
        return path

    def usable_for(self, env: Mapping[str, str]) -> bool:
        return (
            not self.failed
            and self.process.poll() is None
            and _interpreter_env(env) == self.interpreter_env
        )

    def fork(
        self,
        module: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: str,
        stdio: Sequence[int],
        new_database: Optional[str] = None,
    ) -> Launched:
        """The child of one request (``OSError`` when the zygote cannot give one)."""
        ours, theirs = socket.socketpair()
        try:
            umask = os.umask(0o22)
            os.umask(umask)
            request = {
                "module": module,
                "argv": list(argv),
                "env": dict(env),
                "cwd": cwd,
                "umask": umask,
                "new_database": new_database,
            }
            socket.send_fds(self.control, [json.dumps(request).encode()], [*stdio, theirs.fileno()])
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        lines = _Lines(ours)
        try:
            line = lines.read(timeout=120)  # the first request waits for the zygote's imports
        except OSError:
            ours.close()
            raise
        if not line.startswith("P "):
            ours.close()
            raise OSError(f"the zygote did not start the child: {line or 'it has gone'}")
        return Launched(int(line[2:]), lines)

    def close(self) -> None:
        self.control.close()  # the zygote exits when its control socket closes
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class _Lines:
    """The lines the zygote writes to one child's status socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.data = b""

    def read(self, timeout: Optional[float]) -> str:
        """The next line ("" once the zygote has closed it); ``TimeoutError`` after ``timeout``
        seconds (``None``: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.data:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.sock], [], [], left)[0]:
                raise TimeoutError
            chunk = self.sock.recv(4096)
            if not chunk:
                return ""
            self.data += chunk
        line, self.data = self.data.split(b"\n", 1)
        return line.decode()


class Launched:
    """A child of the zygote, answering as a ``subprocess.Popen`` does."""

    args: List[str]

    #: how long a child may take to end once its zygote has gone
    GONE_WAIT = 60.0

    def __init__(self, pid: int, status: _Lines) -> None:
        self.pid = pid
        self.returncode: Optional[int] = None
        self._status: Optional[_Lines] = status

    def __repr__(self) -> str:
        return f"<Launched pid={self.pid} returncode={self.returncode}>"

    def poll(self) -> Optional[int]:
        return self._wait(0)

    def wait(self, timeout: Optional[float] = None) -> int:
        returncode = self._wait(timeout)
        if returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return returncode

    def _wait(self, timeout: Optional[float]) -> Optional[int]:
        if self.returncode is not None or self._status is None:
            return self.returncode
        try:
            line = self._status.read(timeout)
        except TimeoutError:
            return None
        self._status.sock.close()
        self._status = None
        if line.startswith("S "):
            self.returncode = int(line[2:])
        else:  # the zygote has gone: its children got SIGKILL (PR_SET_PDEATHSIG)
            self.returncode = self._gone(deadline=time.monotonic() + self.GONE_WAIT)
        return self.returncode

    def _gone(self, deadline: float) -> int:
        while _alive(self.pid):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"child {self.pid} outlived its zygote by {self.GONE_WAIT:g} s: it should "
                    "have been killed with it (zygote.end_with)"
                )
            time.sleep(0.05)
        return -signal.SIGKILL

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __del__(self) -> None:
        if self._status is not None:
            self._status.sock.close()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (neither gone nor a zombie waiting for its new parent's wait)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


class Launcher:
    """Starts ``python -m MODULE`` processes through one zygote, started on first use."""

    def __init__(self) -> None:
        self.zygote: Optional[Zygote] = None
        self._starting = threading.Lock()

    def _zygote_for(self, env: Mapping[str, str]) -> Optional[Zygote]:
        """The zygote, if it can fork a child with ``env``."""
        if os.environ.get(DISABLE_ENV) == "0":
            return None
        with self._starting:
            if self.zygote is None:
                self.zygote = Zygote()
        return self.zygote if self.zygote.usable_for(env) else None

    def launch(
        self,
        args: Sequence[str],
        env: Optional[Mapping[str, str]] = None,
        cwd: Union[str, Path, None] = None,
        stdin: Stream = None,
        stdout: Stream = None,
        stderr: Stream = None,
        module: str = "ft_dcc",
        new_database: Union[str, Path, None] = None,
    ) -> Union[Launched, subprocess.Popen]:
        """``python -m MODULE ARGS`` as ``subprocess.Popen`` would start it with these
        arguments; a forked child of the zygote when it can (see the module docstring).
        ``stderr`` may be ``subprocess.STDOUT``; ``module`` is a module or package that
        ``python -m`` finds in ``cwd`` or the installed packages. ``new_database``: where the
        program opens a store on a SQLite database file that may not exist yet; a forked child
        finds there, if nothing was, the new database a store makes (the zygote made one:
        ``zygote.place_new_database``), a real subprocess makes it."""
        env = dict(os.environ if env is None else env)
        command = [sys.executable, "-m", module, *args]
        streams = (stdin, stdout, stderr)
        zygote = None if subprocess.PIPE in streams else self._zygote_for(env)
        if zygote is not None:
            opened: List[int] = []
            try:
                stdio = _child_stdio(streams, opened)
                directory = os.path.abspath(cwd or os.getcwd())
                database = None if new_database is None else os.path.abspath(new_database)
                child = zygote.fork(module, list(args), env, directory, stdio, database)
            except OSError:
                zygote.failed = True  # real subprocesses from now on
            else:
                child.args = command
                return child
            finally:
                for fd in opened:
                    os.close(fd)
        return subprocess.Popen(
            command, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr
        )

    def step_python(self) -> str:
        """A Python command for a program that another program starts (the farm's steps): a
        child of the zygote when it can be (``support/step_python.py``), else this Python."""
        zygote = self._zygote_for(os.environ)
        return zygote.step_python if zygote is not None else sys.executable

    def close(self) -> None:
        """End the zygote (its remaining children get SIGKILL)."""
        with self._starting:
            zygote, self.zygote = self.zygote, None
        if zygote is not None:
            zygote.close()


#: the test process's launcher
LAUNCHER = Launcher()
launch = LAUNCHER.launch
step_python = LAUNCHER.step_python
shutdown = LAUNCHER.close
atexit.register(shutdown)


def _child_stdio(streams: Sequence[Stream], opened: List[int]) -> List[int]:
    """The descriptors for the child's 0, 1, 2 (``opened`` collects those to close after)."""
    fds: List[int] = []
    for number, stream in enumerate(streams):
        if stream is None:
            fds.append(number)  # inherited, as Popen's child does
        elif stream == subprocess.DEVNULL:
            fd = os.open(os.devnull, os.O_RDWR)
            opened.append(fd)
            fds.append(fd)
        elif stream == subprocess.STDOUT and number == 2:
            fds.append(fds[1])
        elif isinstance(stream, int):
            fds.append(stream)
        else:
            stream.flush()
            fds.append(stream.fileno())
    return fds
