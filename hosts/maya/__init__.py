"""ft_dcc adapter for Maya, over ``maya.cmds`` only.

* :mod:`ft_dcc_hosts.maya.host` - ``MayaHost``: the open scene and its playblast
  (``capture``/``scene``).
* :mod:`ft_dcc_hosts.maya.menu` - the "ftrack" menu, "Publish for review", the main progress bar.
* :mod:`ft_dcc_hosts.maya.startup` / ``userSetup.py`` - add the menu when Maya starts (not in
  batch).
* :mod:`ft_dcc_hosts.maya.integration` - ``ft-dcc host install maya`` (a Maya module) and headless
  publishing with ``mayapy`` (:mod:`ft_dcc_hosts.maya.headless`).

Tested against an honest fake of ``maya.cmds`` (tests/fakes/maya), never against real Maya.
"""
