"""The host boundary: everything between the publish pipeline and a DCC, in one room.

* :mod:`~ft_dcc.host.interface` - ``Host``, the one small interface each host implements, and the
  ``CaptureSpec``/``CaptureResult`` it is given and returns (the pipeline's only view of hosts).
* :mod:`~ft_dcc.host.files` - the files host: an image sequence or movie already on disk.
* :mod:`~ft_dcc.host.headless` - the request/result protocol of a publish in a host's own Python.
* :mod:`~ft_dcc.host.pythonpath` - make ft_dcc and ``ft_dcc_hosts`` importable in a host's Python.
* :mod:`~ft_dcc.host.integrations` - find installed host integrations (entry points).
* :mod:`~ft_dcc.host.commands` - ``ft-dcc host install|list``.

The adapters themselves live in ``hosts/`` (installed as ``ft_dcc_hosts``); see
``docs/new-host.md``.
"""
