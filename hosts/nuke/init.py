# ft_dcc for Nuke: init.py of the NUKE_PATH folder built by `ft-dcc host install nuke`.
# Nuke runs it in every session (terminal `nuke -t` and the app): it makes ft_dcc importable and
# registers the Write-node "publish for review" callbacks. It creates no UI (that is menu.py).
import os
import sys

# filled in by the installer: folders holding ft_dcc, its adapters and dependencies
FT_DCC_PATHS = []  # type: ignore[var-annotated]

for _folder in os.environ.get("FT_DCC_PYTHONPATH", "").split(os.pathsep) + FT_DCC_PATHS:
    if _folder and _folder not in sys.path:
        sys.path.append(_folder)

try:
    from ft_dcc.host.pythonpath import ensure_hosts_package as _ft_dcc_ensure_hosts

    _ft_dcc_ensure_hosts()  # the adapters import as ft_dcc_hosts, also from a source checkout
    from ft_dcc_hosts.nuke import callbacks as _ft_dcc_callbacks

    _ft_dcc_callbacks.install()
except ImportError as _error:
    print(
        f"ft_dcc: ftrack review publishing is off ({_error}); if ft_dcc is missing, set "
        "FT_DCC_PYTHONPATH to a folder holding ft_dcc and its dependencies for this Nuke's Python"
    )
