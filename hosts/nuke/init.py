# ft_dcc for Nuke: init.py of the NUKE_PATH folder built by `ft-dcc host install nuke`.
# Nuke runs it in every session (terminal `nuke -t` and the app): it makes ft_dcc importable and
# registers the Write-node "publish for review" callbacks. It creates no UI (that is menu.py).
# The folder is self-contained: ft_dcc and its dependencies are in <this folder>/<version>/python,
# found relative to this file on whichever machine reads the share.
import inspect
import os
import sys

# filled in by the installer: the payload folder (its version) next to this file
FT_DCC_PAYLOAD = ""


def _ft_dcc_here():
    try:
        return os.path.dirname(os.path.abspath(__file__))
    except NameError:  # run without __file__: the code object still knows its file
        return os.path.dirname(os.path.abspath(inspect.getsourcefile(_ft_dcc_here) or ""))


_ft_dcc_paths = os.environ.get("FT_DCC_PYTHONPATH", "").split(os.pathsep)
if FT_DCC_PAYLOAD:
    _ft_dcc_paths.append(os.path.join(_ft_dcc_here(), FT_DCC_PAYLOAD, "python"))
for _folder in _ft_dcc_paths:
    if _folder and _folder not in sys.path:
        sys.path.append(_folder)

try:
    from ft_dcc.host.pythonpath import ensure_hosts_package as _ft_dcc_ensure_hosts

    _ft_dcc_ensure_hosts()  # the adapters import as ft_dcc_hosts, also from a source checkout
    from ft_dcc_hosts.nuke import callbacks as _ft_dcc_callbacks

    from ft_dcc.host.bundle import startup as _ft_dcc_startup

    _ft_dcc_startup()  # this platform's ffmpeg from the payload, when it has one
    _ft_dcc_callbacks.install()
except ImportError as _error:
    print(
        f"ft_dcc: ftrack review publishing is off ({_error}); if ft_dcc is missing, rebuild "
        "this folder with 'ft-dcc host install nuke' or set FT_DCC_PYTHONPATH"
    )
