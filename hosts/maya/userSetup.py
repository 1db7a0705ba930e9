"""ft_dcc: add the ftrack menu when Maya starts (copied into the Maya module's ``scripts``
folder by ``ft-dcc host install maya``; Maya runs every ``userSetup.py`` on its PYTHONPATH)."""

try:
    from hosts.maya import startup as _ft_dcc_startup

    _ft_dcc_startup.install()
except Exception as _ft_dcc_error:  # never break Maya's start-up
    print(f"ft_dcc: the ftrack menu is not available: {_ft_dcc_error}")
