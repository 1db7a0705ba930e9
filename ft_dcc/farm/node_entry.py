"""What every step of an ft_dcc farm job runs first, embedded in the job template.

It imports only the standard library, so a node whose Python lacks ft_dcc (or has one too old
for farm jobs) fails the task with one line saying what to install, instead of a traceback.
Then it runs ``ft-dcc`` with the step's arguments. (No double braces in this file: OpenJD reads
an embedded file as a format string.)
"""

import sys

WANTED = "FT_DCC_VERSION"  # replaced by the submitting ft_dcc's version


def main(argv):
    try:
        import ft_dcc.farm.commands  # noqa: F401 - the farm steps exist in this ft_dcc
        from ft_dcc.cli import main as ft_dcc_main
    except ImportError as exc:
        sys.stderr.write(
            f"ft_dcc farm step: this node's Python ({sys.executable}) cannot run ft_dcc farm "
            f"steps ({exc}): install ft_dcc {WANTED} or newer into it (pip install ft-dcc), or "
            "set the job parameter FtDccPython to a Python that has it\n"
        )
        return 2
    return ft_dcc_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
