"""ft_dcc: add the ftrack menu when Maya starts (copied into the Maya module's ``scripts``
folder by ``ft-dcc host install maya``; Maya runs every ``userSetup.py`` on its PYTHONPATH, and
the module's ``.mod`` file puts its vendored ``python`` folder there)."""

try:
    from ft_dcc.host.bundle import startup as _ft_dcc_bundle_startup
    from ft_dcc.host.pythonpath import ensure_hosts_package as _ft_dcc_ensure_hosts

    _ft_dcc_ensure_hosts()  # the adapters import as ft_dcc_hosts, also from a source checkout
    _ft_dcc_bundle_startup()  # this platform's ffmpeg from the module, when it has one
    from ft_dcc_hosts.maya import startup as _ft_dcc_startup

    _ft_dcc_startup.install()
except Exception as _ft_dcc_error:  # never break Maya's start-up
    print(f"ft_dcc: the ftrack menu is not available: {_ft_dcc_error}")
