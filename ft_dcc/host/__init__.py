"""The host boundary: everything between the publish pipeline and a DCC, in one room.

Each host implements the pipeline's port, :mod:`ft_dcc.publish.host_port` (``Host``,
``CaptureSpec``, ``CaptureResult``); the room holds what every host shares above it:

* :mod:`~ft_dcc.host.files` - the files host: an image sequence or movie already on disk.
* :mod:`~ft_dcc.host.headless` - the request/result protocol of a publish in a host's own Python.
* :mod:`~ft_dcc.host.pythonpath` - make ft_dcc and ``ft_dcc_hosts`` importable in a host's Python.
* :mod:`~ft_dcc.host.integrations` - find installed host integrations (entry points).
* :mod:`~ft_dcc.host.commands` - ``ft-dcc host install|list``, and ``ft-dcc publish``'s choice of
  host (the files host in-process, else an integration headless).

The adapters themselves live in ``hosts/`` (installed as ``ft_dcc_hosts``); see
``docs/new-host.md``.
"""
