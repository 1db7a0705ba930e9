# ft_dcc for Nuke: menu.py of the NUKE_PATH folder built by `ft-dcc host install nuke`.
# Nuke runs it in the app only, after init.py: Nodes > ftrack > Publish for review, Publish on
# the farm, Review feedback, Choose task...
import importlib as _importlib

for _module, _label in (
    ("callbacks", "Publish for review"),
    ("feedback", "Review feedback"),
    ("farm", "Publish on the farm"),
    ("task_picker", "Choose task..."),
):
    try:
        _importlib.import_module("ft_dcc_hosts.nuke." + _module).install_menu()
    except ImportError as _error:
        print(f"ft_dcc: no '{_label}' menu ({_error})")
