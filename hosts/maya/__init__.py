"""ft_dcc adapter for Maya, over ``maya.cmds`` only.

* :mod:`hosts.maya.host` - ``MayaHost``: the open scene and its playblast (``capture``/``scene``).
* :mod:`hosts.maya.menu` - the "ftrack" menu, "Publish for review", the main progress bar.
* :mod:`hosts.maya.startup` / ``userSetup.py`` - add the menu when Maya starts (not in batch).
* :mod:`hosts.maya.integration` - ``ft-dcc host install maya`` (a Maya module) and headless
  publishing with ``mayapy`` (:mod:`hosts.maya.headless`).

Tested against an honest fake of ``maya.cmds`` (tests/fakes/maya), never against real Maya.
"""
