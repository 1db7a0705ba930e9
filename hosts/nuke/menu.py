# ft_dcc for Nuke: menu.py of the NUKE_PATH folder built by `ft-dcc host install nuke`.
# Nuke runs it in the app only, after init.py: Nodes > ftrack > Publish for review.
try:
    from ft_dcc_hosts.nuke import callbacks as _ft_dcc_callbacks

    _ft_dcc_callbacks.install_menu()
except ImportError as _error:
    print(f"ft_dcc: no 'Publish for review' menu ({_error})")
