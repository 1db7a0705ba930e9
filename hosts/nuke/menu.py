# ft_dcc for Nuke: menu.py of the NUKE_PATH folder built by `ft-dcc host install nuke`.
# Nuke runs it in the app only, after init.py: Nodes > ftrack > Publish for review, Publish on
# the farm, Review feedback, Choose task...
try:
    from ft_dcc_hosts.nuke import callbacks as _ft_dcc_callbacks

    _ft_dcc_callbacks.install_menu()
except ImportError as _error:
    print(f"ft_dcc: no 'Publish for review' menu ({_error})")
try:
    from ft_dcc_hosts.nuke import feedback as _ft_dcc_feedback

    _ft_dcc_feedback.install_menu()
except ImportError as _error:
    print(f"ft_dcc: no 'Review feedback' menu ({_error})")
try:
    from ft_dcc_hosts.nuke import farm as _ft_dcc_farm

    _ft_dcc_farm.install_menu()
except ImportError as _error:
    print(f"ft_dcc: no 'Publish on the farm' menu ({_error})")
try:
    from ft_dcc_hosts.nuke import task_picker as _ft_dcc_task_picker

    _ft_dcc_task_picker.install_menu()
except ImportError as _error:
    print(f"ft_dcc: no 'Choose task...' menu ({_error})")
