"""Nodes, the root, creation/deletion and the callback lists of the fake ``nuke``.

Callback semantics follow Foundry's published ``nuke_internal/callbacks.py``: ``call`` must be
callable (``ValueError``), ``args`` that is not a tuple is wrapped in one, ``kwargs`` must be a
dict (``ValueError``); registering the same callback again moves it to the end; callbacks for
``nuke.thisClass()`` run first, then those for ``'*'``; the render callbacks default to
``nodeClass='Write'``, ``addOnCreate`` to ``'*'``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from . import _knobs, _state

DEAD_NODE = "A PythonObject is not attached to a node"


class Node:
    """``nuke.Node``."""

    def __init__(self, node_class: str) -> None:
        if node_class not in _knobs.NODE_CLASSES:
            # [unverified wording] Nuke: "RuntimeError: Bogus: Unknown command"
            raise RuntimeError(f"{node_class}: Unknown command")
        specs, self._max_inputs = _knobs.NODE_CLASSES[node_class]
        self._class = node_class
        self._alive = True
        self._inputs: List[Optional[Node]] = [None] * self._max_inputs
        self._knobs: Dict[str, _knobs.Knob] = {}
        for name, kind, default in _knobs.COMMON_KNOBS + specs:
            self._attach(_knobs.make_knob(name, kind, default))
        self._knobs["name"]._value = _unique_name(node_class)
        self._sync_file_type_knobs()

    # -- knobs ---------------------------------------------------------------------------------
    def _attach(self, knob: _knobs.Knob) -> None:
        knob._node = self
        self._knobs[knob.name()] = knob

    def _knob_changed(self, knob: _knobs.Knob) -> None:
        if knob.name() == "file" and self._class == "Write":
            # Nuke picks the file type from a new file name's extension [file name conventions]
            extension = knob._value.rsplit(".", 1)[-1].lower()
            if extension in _knobs.EXTENSION_TYPES:
                self._knobs["file_type"]._value = _knobs.EXTENSION_TYPES[extension]
                self._sync_file_type_knobs()
        if knob.name() == "file_type":
            self._sync_file_type_knobs()
        if knob.name() == "file" and self._class == "Read":
            # [assumed, RD] a new file sets the frame range from the file: a still is 1-1
            self._knobs["first"]._value = self._knobs["last"]._value = 1

    def _sync_file_type_knobs(self) -> None:
        if self._class != "Write":
            return
        specific = {n for specs in _knobs.FILE_TYPE_KNOBS.values() for n, _k, _d in specs}
        for name in specific:
            self._knobs.pop(name, None)
        for name, kind, default in _knobs.FILE_TYPE_KNOBS.get(self._file_type(), []):
            self._attach(_knobs.make_knob(name, kind, default))

    def _file_type(self) -> str:
        """The effective file type: the knob, or the file extension when it is ' '."""
        chosen = self._knobs["file_type"]._value
        if chosen.strip():
            return chosen
        extension = self._knobs["file"]._value.rsplit(".", 1)[-1].lower()
        return _knobs.EXTENSION_TYPES.get(extension, "")

    def _check_alive(self) -> None:
        _state.check_thread(f"{self._class} node")
        if not self._alive:
            raise ValueError(DEAD_NODE)

    def knob(self, p: Any, follow_link: bool = False) -> Optional[_knobs.Knob]:
        self._check_alive()
        if isinstance(p, int):
            values = list(self._knobs.values())
            return values[p] if 0 <= p < len(values) else None
        return self._knobs.get(p)

    def __getitem__(self, name: str) -> _knobs.Knob:
        self._check_alive()
        try:
            return self._knobs[name]
        except KeyError:
            raise NameError(f"knob {name} does not exist") from None

    def knobs(self) -> Dict[str, _knobs.Knob]:
        self._check_alive()
        return dict(self._knobs)

    def addKnob(self, knob: _knobs.Knob) -> None:
        self._check_alive()
        if not isinstance(knob, _knobs.Knob):
            raise TypeError("addKnob expects a Knob")
        if knob.name() in self._knobs:
            # [assumed] the fake refuses a second knob of one name (Nuke's behaviour unverified)
            raise ValueError(f"{self.name()} already has a knob called {knob.name()}")
        self._attach(knob)
        _state.state.touched()

    # -- identity and graph --------------------------------------------------------------------
    def Class(self) -> str:
        self._check_alive()
        return self._class

    def name(self) -> str:
        self._check_alive()
        return self._knobs["name"]._value

    def fullName(self) -> str:
        return self.name()

    def setName(self, name: str, uncollide: bool = True, updateExpressions: bool = False) -> None:
        self._check_alive()
        if find(name) not in (None, self):
            if not uncollide:
                raise ValueError(f"name {name} is already in use")
            name = _unique_name(re.sub(r"\d+$", "", name) or name)
        self._knobs["name"].setValue(name)

    def input(self, index: int) -> Optional[Node]:
        self._check_alive()
        if 0 <= index < len(self._inputs):
            node = self._inputs[index]
            return node if node is not None and node._alive else None
        return None

    def inputs(self) -> int:
        self._check_alive()
        connected = [i for i, n in enumerate(self._inputs) if n is not None and n._alive]
        return connected[-1] + 1 if connected else 0

    def setInput(self, i: int, node: Optional[Node]) -> bool:
        self._check_alive()
        if node is not None:
            node._check_alive()
        if not 0 <= i < self._max_inputs:
            return False
        self._inputs[i] = node
        _state.state.touched()
        return True

    def format(self) -> _knobs.Format:
        """The format of the node's output: its own ``format`` knob, else its input's, else the
        root's."""
        self._check_alive()
        own = self._knobs.get("format")
        if own is not None:
            return own.value()
        upstream = self.input(0)
        return upstream.format() if upstream is not None else _state.state.root["format"].value()

    def width(self) -> int:
        return self.format().width()

    def height(self) -> int:
        return self.format().height()

    def isSelected(self) -> bool:
        return bool(self._knobs["selected"]._value)

    def setSelected(self, selected: bool) -> None:
        self._check_alive()
        self._knobs["selected"]._value = bool(selected)

    def __repr__(self) -> str:
        name = self._knobs["name"]._value if self._alive else "<deleted>"
        return f"<{self._class} node {name}>"


class Root(Node):
    """``nuke.Root``: the script's settings."""

    def __init__(self) -> None:
        self._class = "Root"
        self._alive = True
        self._inputs = []
        self._max_inputs = 0
        self._knobs = {}
        for name, kind, default in _knobs.ROOT_KNOBS:
            self._attach(_knobs.make_knob(name, kind, default))

    def name(self) -> str:
        """The script path, or ``'Root'`` for an untitled script."""
        return self._knobs["name"]._value or "Root"

    def modified(self) -> bool:
        _state.check_thread("root().modified")
        return _state.state.modified

    def setModified(self, modified: bool) -> None:
        _state.check_thread("root().setModified")
        _state.state.modified = bool(modified)

    def firstFrame(self) -> int:
        return int(self._knobs["first_frame"]._value)

    def lastFrame(self) -> int:
        return int(self._knobs["last_frame"]._value)


def _unique_name(node_class: str) -> str:
    index = 1
    while find(f"{node_class}{index}") is not None:
        index += 1
    return f"{node_class}{index}"


def find(name: str) -> Optional[Node]:
    if name in ("root", "Root"):
        return _state.state.root
    for node in _state.state.live_nodes():
        if node._knobs["name"]._value == name:
            return node
    return None


def create(node_class: str, knobs: Dict[str, Any], inputs: Any = None) -> Node:
    """A new node with ``knobs`` set in order; then the onCreate callbacks run."""
    node = Node(node_class)
    state = _state.state
    state.nodes.append(node)
    state.touched()
    for name, value in knobs.items():
        node[name].setValue(value)  # NameError for a knob the class does not have [unverified]
    for index, source in enumerate(inputs or ()):
        node.setInput(index, source)
    run_callbacks("onCreate", node)
    return node


def delete(node: Node) -> None:
    node._check_alive()
    if node is _state.state.root:
        raise ValueError("the root cannot be deleted")
    node._alive = False
    for other in _state.state.live_nodes():
        other._inputs = [None if n is node else n for n in other._inputs]
    _state.state.touched()


# -- callbacks -------------------------------------------------------------------------------
def add_callback(kind: str, call: Any, args: Any, kwargs: Any, nodeClass: str) -> None:
    if not callable(call):
        raise ValueError("call must be a callable")
    if type(args) is not tuple:
        args = (args,)
    if type(kwargs) is not dict:
        raise ValueError("kwargs must be a dictionary")
    entries = _state.state.callbacks.setdefault(kind, {}).setdefault(nodeClass, [])
    entry = (call, args, kwargs, None)
    if entry in entries:
        entries.remove(entry)
    entries.append(entry)


def remove_callback(kind: str, call: Any, args: Any, kwargs: Any, nodeClass: str) -> None:
    if type(args) is not tuple:
        args = (args,)
    entries = _state.state.callbacks.get(kind, {}).get(nodeClass, [])
    entry = (call, args, kwargs, None)
    if entry in entries:
        entries.remove(entry)


def run_callbacks(kind: str, node: Node) -> None:
    """Run ``kind`` callbacks with ``node`` as ``thisNode()``: its class's, then ``'*'``."""
    state = _state.state
    state.context.append(node)
    try:
        registered = state.callbacks.get(kind, {})
        for key in (node.Class(), "*"):
            for call, args, kwargs, _node in list(registered.get(key, [])):
                call(*args, **kwargs)
    finally:
        state.context.pop()


def run_python(code: str, node: Any) -> None:
    """Run a Python knob's source with ``nuke`` imported and ``node`` as ``thisNode()``."""
    if not code.strip():
        return
    import nuke

    state = _state.state
    state.context.append(node)
    try:
        exec(compile(code, f"{node.name()}.python", "exec"), {"nuke": nuke})
    finally:
        state.context.pop()


def this_node() -> Node:
    """The node a callback runs for; outside callbacks the root (Nuke's context node)."""
    state = _state.state
    return state.context[-1] if state.context else state.root
