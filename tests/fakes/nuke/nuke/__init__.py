"""An honest fake of Foundry Nuke's ``nuke`` module, for tests only (on sys.path via tests/nuke).

It fails where Nuke fails: function signatures are the types-nuke 13.2.8.0 stubs' (checked by
``tests/nuke/test_fake_nuke.py`` against ``stub_signatures.json``); knobs follow the cited table
in ``_knobs.py`` (``node["bogus"]`` raises NameError, ``node.knob("bogus")`` is None); ``execute``
checks its input, path and directory, runs the render callbacks in Nuke's order and writes real
PNG/JPEG frames; a ``nuke`` call from a worker thread fails (use ``executeInMainThread*``).
Anything not defined here is an AttributeError, as a misspelt ``nuke.xyz`` is in Nuke. Test
controls live in ``nuke._fake`` (reset, call log, dialog answers, ``state.run_main_thread`` as
Nuke's event loop), never used by the adapter. Behaviour marked [unverified]/[assumed] in the
sources could not be checked without Nuke.
"""

import functools as _functools
from pathlib import Path as _Path
from typing import Any as _Any
from typing import List as _List
from typing import Optional as _Optional

from . import _graph, _render, _script, _state, _tcl, _ui
from ._graph import Node as Node
from ._graph import Root as Root
from ._knobs import Array_Knob as Array_Knob
from ._knobs import Boolean_Knob as Boolean_Knob
from ._knobs import Double_Knob as Double_Knob
from ._knobs import Enumeration_Knob as Enumeration_Knob
from ._knobs import EvalString_Knob as EvalString_Knob
from ._knobs import File_Knob as File_Knob
from ._knobs import Format as Format
from ._knobs import Format_Knob as Format_Knob
from ._knobs import Int_Knob as Int_Knob
from ._knobs import Knob as Knob
from ._knobs import Multiline_Eval_String_Knob as Multiline_Eval_String_Knob
from ._knobs import PyScript_Knob as PyScript_Knob
from ._knobs import String_Knob as String_Knob
from ._knobs import Tab_Knob as Tab_Knob
from ._knobs import Text_Knob as Text_Knob
from ._ui import Menu as Menu
from ._ui import MenuItem as MenuItem
from ._ui import ProgressTask as ProgressTask

GUI = False  # set by nuke._fake.reset(gui=...)
STARTLINE = 0x1000  # a knob flag: the knob starts a new line (the NDK's Knob::STARTLINE)
REPLACE = 0x10  # a flag of nuke.filename (the real value is Nuke's own; only the name is used)


def _logged(function: _Any) -> _Any:
    @_functools.wraps(function)
    def call(*args: _Any, **kwargs: _Any) -> _Any:
        _state.state.log(function.__name__, args, kwargs)
        return function(*args, **kwargs)

    return call


def _node(value: _Any) -> Node:
    if isinstance(value, str):
        found = _graph.find(value)
        if found is None:
            raise ValueError(f"No such node: {value}")  # [unverified wording]
        return found
    if not isinstance(value, Node):
        raise TypeError(f"expected a node or a node name, got {type(value).__name__}")
    value._check_alive()
    return value


# -- nodes -------------------------------------------------------------------------------------
class _NodeConstructor:
    def __init__(self, node_class: str) -> None:
        self._class = node_class

    def __call__(self, **knobs: _Any) -> Node:
        _state.state.log(f"nodes.{self._class}", (), knobs)
        inputs = knobs.pop("inputs", None)
        return _graph.create(self._class, knobs, inputs)


class _Nodes:
    """``nuke.nodes.<Class>(**knobs)``: create without UI side effects (no selection change)."""

    def __getattr__(self, item: str) -> _NodeConstructor:
        if item.startswith("__"):
            raise AttributeError(item)
        return _NodeConstructor(item)


nodes = _Nodes()


def _parse_tcl_knobs(text: str) -> dict:
    import shlex

    words = shlex.split(text.replace("{", '"').replace("}", '"'))
    if len(words) % 2:
        raise RuntimeError(f"knobs string {text!r} has a knob without a value")
    return dict(zip(words[::2], words[1::2]))


@_logged
def createNode(typ: str, knobs: str = "", inpanel: bool = True) -> Node:
    """Create like the UI: connected to and replacing the selection."""
    selected = [n for n in _state.state.live_nodes() if n.isSelected()]
    node = _graph.create(typ, {}, None)
    for name, value in _parse_tcl_knobs(knobs).items():
        knob = node[name]
        if isinstance(knob, (Boolean_Knob,)):
            knob.setValue(value not in ("0", "false", "False"))
        elif isinstance(knob, (Int_Knob, Double_Knob)):
            knob.setValue(float(value))
        else:
            knob.setValue(value)
    if selected and node._max_inputs:
        node.setInput(0, selected[-1])
    for other in selected:
        other.setSelected(False)
    node.setSelected(True)
    if _state.state.gui:
        _graph.run_callbacks("onUserCreate", node)
    return node


@_logged
def toNode(s: str) -> _Optional[Node]:
    return _graph.find(s)


@_logged
def thisNode() -> Node:
    return _graph.this_node()


@_logged
def thisClass() -> str:
    return _graph.this_node().Class()


@_logged
def root() -> Root:
    return _state.state.root


@_logged
def allNodes(
    filter: _Optional[str] = None, group: _Any = None, recurseGroups: bool = False
) -> _List[Node]:
    found = _state.state.live_nodes()
    return [n for n in found if filter is None or n.Class() == filter]


@_logged
def selectedNodes(filter: _Optional[str] = None) -> _List[Node]:
    return [n for n in _state.state.live_nodes() if n.isSelected() and filter in (None, n.Class())]


@_logged
def selectedNode() -> Node:
    chosen = [n for n in _state.state.live_nodes() if n.isSelected()]
    if not chosen:
        raise ValueError("No node selected")
    return chosen[-1]


@_logged
def delete(n: _Optional[Node]) -> None:
    _graph.delete(_node(n))


@_logged
def filename(node: Node, i: int = 0) -> _Optional[str]:
    """The node's ``file`` with its TCL evaluated (``####`` kept; with ``REPLACE`` the current
    frame is put in), or None for a node without a file."""
    knob = _node(node).knob("file")
    if knob is None or not knob.value():
        return None
    path = _tcl.evaluate(knob.value(), node)
    return _render.frame_path(path, _state.state.current_frame) if i & REPLACE else path


@_logged
def frame(f: _Optional[int] = None) -> int:
    if f is not None:
        _state.state.current_frame = int(f)
    return _state.state.current_frame


@_logged
def addFormat(s: str) -> Format:
    """``"width height [pixel_aspect] name"``."""
    parts = s.split()
    if len(parts) not in (3, 4):
        raise ValueError(f"cannot parse format {s!r}")
    aspect = float(parts[2]) if len(parts) == 4 else 1.0
    created = Format(int(parts[0]), int(parts[1]), parts[-1], aspect)
    _state.state.formats.append(created)
    return created


# -- the Viewer panel [VW] ----------------------------------------------------------------------
class ViewerWindow:
    """``nuke.ViewerWindow``: the Viewer panel (not the Viewer node) and which input it shows."""

    def __init__(self, node: Node) -> None:
        self._viewer = node

    def node(self) -> Node:
        self._viewer._check_alive()
        return self._viewer

    def activeInput(self, secondary: _Any = False) -> _Optional[int]:
        """The input shown; [assumed] None when it is not connected."""
        index = getattr(self._viewer, "_active_input", 0)
        return None if self._viewer.input(index) is None else index

    def activateInput(self, input: _Any, secondary: _Any = False) -> None:
        if self._viewer.input(input) is None:
            raise ValueError(f"Viewer input {input} is not connected")  # [VW]
        self._viewer._active_input = int(input)


@_logged
def activeViewer() -> _Optional[ViewerWindow]:
    """[assumed] None under ``nuke -t`` (no panels) and when no Viewer is open; else the
    panel of the Viewer created last."""
    viewers = [n for n in _state.state.live_nodes() if n.Class() == "Viewer"]
    return ViewerWindow(viewers[-1]) if _state.state.gui and viewers else None


# -- render ------------------------------------------------------------------------------------
@_logged
def execute(
    nameOrNode: _Any,
    start: int,
    end: int,
    incr: int = 1,
    views: _Optional[_List[str]] = None,
    continueOnError: bool = False,
) -> None:
    _render.execute(_node(nameOrNode), start, end, incr, views)


# -- script ------------------------------------------------------------------------------------
@_logged
def scriptName() -> str:
    path = _state.state.root["name"].value()
    if not path:
        raise RuntimeError("No script name")  # [unverified wording]
    return path


@_logged
def scriptSave(filename: _Optional[str] = None) -> bool:
    state = _state.state
    path = filename or state.root["name"].value()
    if not path:
        # [unverified] the GUI would open a Save As dialog; under -t there is no name to use
        raise RuntimeError("the script has never been saved: use scriptSaveAs(filename)")
    if not state.root["name"].value():
        state.root["name"]._value = str(path)
    _script.save(_Path(path))
    state.modified = False
    return True


@_logged
def scriptSaveAs(filename: _Optional[str] = None, overwrite: _Any = -1) -> None:
    if not filename:
        raise RuntimeError("scriptSaveAs needs a file name")
    if _Path(filename).exists() and not overwrite:
        raise RuntimeError(f"{filename} already exists")
    _state.state.root["name"]._value = str(filename)
    _script.save(_Path(filename))
    _state.state.modified = False


@_logged
def scriptOpen(filename: _Optional[str] = None) -> None:
    if not filename or not _Path(filename).is_file():
        raise RuntimeError(f"{filename}: No such file or directory")
    _script.load(_Path(filename))


# -- callbacks (defaults from nuke_internal/callbacks.py) ---------------------------------------
def _callbacks(kind: str, default_class: str) -> tuple:
    def add(call: _Any, args: _Any = (), kwargs: _Any = {}, nodeClass: str = default_class) -> None:  # noqa: B006
        _state.state.log("add" + kind[0].upper() + kind[1:], (call,), {"nodeClass": nodeClass})
        _graph.add_callback(kind, call, args, kwargs, nodeClass)

    def remove(
        call: _Any, args: _Any = (), kwargs: _Any = None, nodeClass: str = default_class
    ) -> None:
        if kwargs is None:
            kwargs = {}
        _graph.remove_callback(kind, call, args, kwargs, nodeClass)

    return add, remove


addOnCreate, removeOnCreate = _callbacks("onCreate", "*")
addOnUserCreate, removeOnUserCreate = _callbacks("onUserCreate", "*")
addBeforeRender, removeBeforeRender = _callbacks("beforeRender", "Write")
addBeforeFrameRender, removeBeforeFrameRender = _callbacks("beforeFrameRender", "Write")
addAfterFrameRender, removeAfterFrameRender = _callbacks("afterFrameRender", "Write")
addAfterRender, removeAfterRender = _callbacks("afterRender", "Write")
for _name in (
    "addOnCreate",
    "removeOnCreate",
    "addOnUserCreate",
    "removeOnUserCreate",
    "addBeforeRender",
    "removeBeforeRender",
    "addBeforeFrameRender",
    "removeBeforeFrameRender",
    "addAfterFrameRender",
    "removeAfterFrameRender",
    "addAfterRender",
    "removeAfterRender",
):
    globals()[_name].__name__ = globals()[_name].__qualname__ = _name
del _name


# -- UI ----------------------------------------------------------------------------------------
@_logged
def menu(name: str) -> Menu:
    return _ui.menu(name)


@_logged
def message(prompt: str) -> None:
    _ui.message(prompt)


@_logged
def ask(prompt: str) -> bool:
    return _ui.ask(prompt)


# -- threads (Foundry: nuke_internal/executeInMain.py) ------------------------------------------
def executeInMainThread(call: _Any, args: _Any = (), kwargs: _Any = {}) -> None:  # noqa: B006
    """Queue ``call`` for the main thread and return at once."""
    if type(args) is not tuple:
        args = (args,)
    _state.state.main_queue.put(lambda: call(*args, **kwargs))


def executeInMainThreadWithResult(call: _Any, args: _Any = (), kwargs: _Any = {}) -> _Any:  # noqa: B006
    """Run ``call`` on the main thread and return its result (re-raising its exception)."""
    import threading

    if type(args) is not tuple:
        args = (args,)
    if threading.current_thread() is threading.main_thread():
        return call(*args, **kwargs)
    done = threading.Event()
    outcome: dict = {}

    def job() -> None:
        try:
            outcome["value"] = call(*args, **kwargs)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    _state.state.main_queue.put(job)
    done.wait()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


from . import _fake  # noqa: E402  (test controls; imported last: it needs the module complete)

_fake.reset()
