"""The signatures Foundry documents for the ``nuke`` calls whose types-nuke 13.2.8.0 stub is an
untyped ``(*args, **kwargs)`` (so the stubs say nothing to check there). Same shape as
``stub_signatures.json``: one overload per entry, ``[name, kind, has_default]`` per parameter.

Sources (Foundry's Nuke Python API reference, learn.foundry.com/nuke/developers/):

* ``nuke.allNodes(filter, group, recurseGroups)``:
  140/pythondevguide/_autosummary/nuke.allNodes.html
  ("filter - Optional", "group - Optional", "recurseGroups - Optional ... defaults to False").
* ``Menu.addCommand(name, command, shortcut, icon, tooltip, index, readonly, shortcutContext, tag,
  tagTarget, node)``: 17.1/pythondevguide/_autosummary/nuke.Menu.html ("Optional arguments can
  be specified by name"; only ``name`` is required: 122/pythonreference/nuke.ToolBar-class.html).
* ``Menu.addMenu(**kwargs)`` accepting ``name``, ``icon``, ``tooltip``, ``index``, ``tag``:
  17.1/pythondevguide/_autosummary/nuke.Menu.html; ``name`` is also given by position in
  Foundry's own examples (``nuke.menu('Nuke').addMenu('MyMenu')``), so it is modelled as
  ``(name, icon, tooltip, index, tag)`` with only ``name`` required.
* ``ProgressTask.setMessage(s)``, ``ProgressTask.setProgress(i)`` ("i is an integer representing
  the current progress"), ``ProgressTask.isCancelled()``:
  17.1/pythondevguide/_autosummary/nuke.ProgressTask.html (and 131/.../nuke.ProgressTask.html).
* ``ViewerWindow.node()`` ("Returns the Viewer node currently associated with this window"):
  16.1/pythondevguide/_autosummary/nuke.ViewerWindow.html.
* ``Enumeration_Knob.setValues(self, items)`` ("(Re)initialise knob to the supplied list of
  items"): 120/pythonreference/nuke.Enumeration_Knob-class.html.
"""

from __future__ import annotations

from typing import Any, Dict, List

_P = "POSITIONAL_OR_KEYWORD"
_SELF = ["self", _P, False]


def _optional(*names: str) -> List[List[Any]]:
    return [[name, _P, True] for name in names]


#: "function" or "Class.method" -> overloads, as in stub_signatures.json
FOUNDRY_SIGNATURES: Dict[str, List[List[List[Any]]]] = {
    "allNodes": [_optional("filter", "group", "recurseGroups")],
    "Menu.addCommand": [
        [
            _SELF,
            ["name", _P, False],
            *_optional(
                "command",
                "shortcut",
                "icon",
                "tooltip",
                "index",
                "readonly",
                "shortcutContext",
                "tag",
                "tagTarget",
                "node",
            ),
        ]
    ],
    "Menu.addMenu": [[_SELF, ["name", _P, False], *_optional("icon", "tooltip", "index", "tag")]],
    "ProgressTask.setMessage": [[_SELF, ["s", _P, False]]],
    "ProgressTask.setProgress": [[_SELF, ["i", _P, False]]],
    "ProgressTask.isCancelled": [[_SELF]],
    "ViewerWindow.node": [[_SELF]],
    "Enumeration_Knob.setValues": [[_SELF, ["items", _P, False]]],
}
