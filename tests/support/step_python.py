"""``python SCRIPT ARGS...`` as a child of the test process's zygote, for the processes that
another program starts: the farm's steps, which ``openjd run`` starts with the bundle's
``FtDccPython`` (each step's exec'd Python spent 0.1-0.3 CPU-s starting and importing ft_dcc).

:class:`support.launcher.Zygote` writes this file into its folder as an executable, after a
``#!`` line of its Python with ``-S -I`` (this process only passes the request on), and beside
it :data:`CONFIG_NAME`: the zygote's socket (``zygote.LISTEN_NAME``), the real Python, and the
interpreter settings the zygote was started with. It asks the zygote for ``python SCRIPT
ARGS`` with this process's environment, working directory, umask and standard streams, passes
on to the child the signals it gets (SIGTERM, SIGINT, SIGHUP), and ends as the child ended: its
exit status, or the same signal. Without a script, with other interpreter settings, or when the
zygote does not start the child, it becomes the real Python (``exec``), as before.
"""

import json
import os
import signal
import socket
import sys

#: the file beside this command that says where its zygote listens (written by the launcher)
CONFIG_NAME = "step_python.json"
CONFIG = {"socket": "", "python": sys.executable, "interpreter_env": {}}
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
#: the child's pid once the zygote has started it; the signals that came before
CHILD = []
PENDING = []
INTERPRETER_PREFIXES = ("PYTHON", "LC_", "LANG")


def real_python():
    for signum in PENDING[:1]:  # a signal that came meanwhile ends this process, as it would have
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os.execv(CONFIG["python"], [CONFIG["python"], *sys.argv[1:]])


def forkable(args):
    interpreter = {k: v for k, v in os.environ.items() if k.startswith(INTERPRETER_PREFIXES)}
    return bool(args) and not args[0].startswith("-") and interpreter == CONFIG["interpreter_env"]


def ask_zygote(args, theirs):
    """Send the request; ``False`` when the zygote cannot be reached."""
    umask = os.umask(0o22)
    os.umask(umask)
    request = {
        "module": "",
        "path": os.path.abspath(args[0]),
        "argv": args[1:],
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": umask,
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as zygote:
            zygote.connect(CONFIG["socket"])
            socket.send_fds(zygote, [json.dumps(request).encode()], [0, 1, 2, theirs.fileno()])
    except OSError:
        return False
    return True


def forward(signum, frame):
    if not CHILD:
        PENDING.append(signum)
        return
    try:
        os.kill(CHILD[0], signum)
    except ProcessLookupError:
        pass


def forward_to(pid):
    CHILD.append(pid)
    for signum in PENDING:
        forward(signum, None)


def end_as(line):
    """Exit as the child did (``S <returncode>``); its zygote gone: as it, killed."""
    returncode = int(line[2:]) if line.startswith("S ") else -signal.SIGKILL
    if returncode >= 0:
        sys.exit(returncode)
    sys.stdout.flush()
    signal.signal(-returncode, signal.SIG_DFL)
    os.kill(os.getpid(), -returncode)
    sys.exit(128 - returncode)


def main():
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), CONFIG_NAME)) as config:
        CONFIG.update(json.load(config))
    args = sys.argv[1:]
    if not forkable(args):
        real_python()
    for signum in FORWARDED:
        signal.signal(signum, forward)
    ours, theirs = socket.socketpair()
    asked = ask_zygote(args, theirs)
    theirs.close()
    status = ours.makefile("r")
    started = status.readline() if asked else ""
    if not started.startswith("P "):  # nothing was started
        real_python()
    forward_to(int(started[2:]))
    end_as(status.readline())


if __name__ == "__main__":
    main()
