"""An HONEST fake of ``nukescripts`` (tests only): the ``PythonPanel`` the ft_dcc Nuke adapter uses.

Hand-written from Foundry's reference (learn.foundry.com/nuke/developers/160/pythondevguide/
_autosummary/nukescripts.PythonPanel.html and the ``nukescripts.panels`` source it links):
``PythonPanel(title='', id='', scrollable=True)``; ``addKnob(knob)`` puts a ``nuke`` knob on the
panel's ``PanelNode``; ``knobs()`` maps knob names to knobs; when the artist changes a knob Nuke
calls ``knobChangedCallback(knob)``, which calls ``knobChanged(knob)`` (a no-op to override);
``show()`` shows the panel (non-modal), ``showModalDialog()`` waits for OK/Cancel;
``setMinimumSize(w, h)``. No Foundry code is copied.

Test controls: ``shown`` (panels shown, in order), ``modal_answers`` (what showModalDialog returns;
a callable answer is the artist at the open dialog: called with the panel, it sets its knobs and
returns OK (True) or Cancel),
``press(panel, name)`` (the artist clicks a panel's button: Nuke calls ``knobChanged`` with it).
The artist's choice is ``knob.setValue(...)`` on a shown panel's knob: the fake then calls
``knobChanged`` as Nuke's knob-changed callback does.
"""

from __future__ import annotations

from typing import Any, Dict, List

import nuke

#: the panels shown (test inspection)
shown: List[PythonPanel] = []
#: scripted answers of showModalDialog (True: OK; a callable: ``answer(panel) -> bool``, the
#: artist's clicks while the dialog is open); empty: OK
modal_answers: List[Any] = []


def reset() -> None:
    shown.clear()
    modal_answers.clear()


def press(panel: PythonPanel, name: str) -> None:
    """The artist clicks the panel's button ``name`` (a ``PyScript_Knob``)."""
    knob = panel.knobs()[name]
    if not isinstance(knob, nuke.PyScript_Knob):
        raise TypeError(f"{name} is not a button")
    panel.knobChangedCallback(knob)


class _PanelNode:
    """The ``nuke.PanelNode`` behind a panel: owns its knobs, reports their changes."""

    def __init__(self, panel: PythonPanel) -> None:
        self._panel = panel

    def _check_alive(self) -> None:
        pass

    def _knob_changed(self, knob: Any) -> None:
        self._panel.knobChangedCallback(knob)


class PythonPanel:
    def __init__(self, title: str = "", id: str = "", scrollable: bool = True) -> None:
        if not isinstance(title, str) or not isinstance(id, str):
            raise TypeError("PythonPanel(title, id): strings expected")
        self._title = title
        self._id = id
        self._node = _PanelNode(self)
        self._knobs: Dict[str, Any] = {}
        self.minimum_size = (0, 0)

    def title(self) -> str:
        return self._title

    def addKnob(self, knob: Any) -> None:
        if not isinstance(knob, nuke.Knob):
            raise TypeError("addKnob() takes a nuke.Knob")
        knob._node = self._node
        self._knobs[knob.name()] = knob

    def removeKnob(self, knob: Any) -> None:
        del self._knobs[knob.name()]
        knob._node = None

    def knobs(self) -> Dict[str, Any]:
        return dict(self._knobs)

    def knobChangedCallback(self, knob: Any) -> None:
        self.knobChanged(knob)

    def knobChanged(self, knob: Any) -> None:
        pass

    def setMinimumSize(self, width: int, height: int) -> None:
        self.minimum_size = (int(width), int(height))

    def show(self) -> None:
        if not nuke.GUI:
            raise RuntimeError("panels need the Nuke GUI (not nuke -t)")  # [assumed]
        shown.append(self)

    def showModalDialog(self, defaultKnobText: str = "") -> bool:
        if not nuke.GUI:
            raise RuntimeError("panels need the Nuke GUI (not nuke -t)")  # [assumed]
        shown.append(self)
        answer = modal_answers.pop(0) if modal_answers else True
        return bool(answer(self)) if callable(answer) else bool(answer)
