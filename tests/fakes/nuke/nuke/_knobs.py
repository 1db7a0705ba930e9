"""Knobs and formats of the fake ``nuke``, and the cited knob tables of the node classes it models.

Sources (the table is the contract; see NOTICE.md):
  [W]  Foundry, Write node reference guide,
       learn.foundry.com/nuke/content/reference_guide/image_nodes/write.html
  [FT] knobs shown only for some ``file_type`` values (``mov64_*`` for mov, ``_jpeg_*`` for jpeg,
       ``datatype``/``compression`` for exr/tiff/dpx): the reference guide plus production code
       that guards them with ``if w.knob("mov64_codec"):`` (research note host-apis.md 3.2)
  [PY] the Python tab (beforeRender, beforeFrameRender, afterFrameRender, afterRender,
       renderProgress), Foundry KatanaWriter/Write Python tab reference
  [R]  Root: ``first_frame``/``last_frame`` (floats), ``fps``, ``format`` (a Format with
       width()/height()/pixelAspect()/name()), ``name`` (the script path, '' when untitled),
       Foundry Python dev guide (host-apis.md 3.3)
  [OC] Root colour management (Project Settings > Color): ``colorManagement`` ("Nuke"/"OCIO"),
       ``OCIO_config`` (the built-in configs Nuke 14 lists, or "custom"),
       ``customOCIOConfigPath``; set exactly so by public Nuke OCIO test scripts
       (``root["OCIO_config"].setValue("custom")``). Viewer ``viewerProcess``: the view
       transform, "View (Display)" in OCIO mode (Foundry Viewer reference guide).
  [AR] AudioRead: ``file`` (WAV/AIFF path), ``begintime`` ("time range": the audio's start and
       end times in Nuke, default 0, 0), ``filebegintime`` ("file time range": the start and
       end of the file read in, set from the file, changed to trim it), ``ratesource``
       (file/custom), ``rate``; Foundry AudioRead reference guide,
       learn.foundry.com/nuke/content/reference_guide/other_nodes/audioread.html. The two
       range knobs hold (start, end): ``Array_Knob.value(index)`` returns one element, ``array()``
       the list (Foundry Python reference, nuke.Array_Knob). Their *unit* is not stated there:
       the fake stores frames (Nuke's time unit); unverified in a live Nuke.
  [RD] Read: ``file``, ``format``, ``first``/``last`` (the "frame range", "dependent on file": a
       still reads as 1-1), ``before``/``after`` (hold, loop, bounce, black; default hold),
       ``premultiplied``, ``raw``, ``colorspace``, ``on_error``; Foundry Read reference guide,
       learn.foundry.com/nuke/8.0/content/reference_guide/image_nodes/read.html (same knobs
       in 11.1 and 12.2). [assumed] choosing a new ``file`` resets first/last from the file (1, 1
       for a still), as the panel shows; set the range after the file.
  [MG] Merge2: ``operation`` (default over), ``mix``; inputs A and B and a mask; Foundry Merge
       reference guide, learn.foundry.com/nuke/15.1/content/reference_guide/merge_nodes/
       merge.html. [unverified in a live Nuke] the input indices B = 0, A = 1, mask = 2 (the
       order a saved .nk script lists a Merge2's inputs, and production code's setInput(1, fg)).
  [PM] Premult: multiplies ``channels`` by ``alpha``; Merge expects premultiplied input (the
       Merge reference guide above); knob defaults [assumed].
  [VW] Viewer: up to 10 inputs, the one shown chosen by ``nuke.activeViewer().activeInput()``
       (``ViewerWindow``: ``node()``, ``activeInput(secondary=False)``,
       ``activateInput(input, secondary=False)``, ValueError for an unconnected input;
       learn.foundry.com/nuke/developers/16.1/pythondevguide/_autosummary/nuke.ViewerWindow.html).
Missing knob: ``node["nope"]`` raises ``NameError: knob nope does not exist`` (confirmed under
Nuke 16.0v6 ``nuke -t`` by a public project); ``node.knob("nope")`` returns None.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _state


class Format:
    """``nuke.Format``: a named image size."""

    def __init__(self, width: int, height: int, name: str = "", pixel_aspect: float = 1.0):
        self._width = int(width)
        self._height = int(height)
        self._name = name
        self._pixel_aspect = float(pixel_aspect)

    def width(self) -> int:
        return self._width

    def height(self) -> int:
        return self._height

    def name(self) -> str:
        return self._name

    def pixelAspect(self) -> float:
        return self._pixel_aspect

    def __repr__(self) -> str:
        return f"<Format {self._name} {self._width}x{self._height}>"


#: Nuke's built-in formats the fake knows (a subset)
BUILTIN_FORMATS = [
    Format(1920, 1080, "HD_1080"),
    Format(1280, 720, "HD_720"),
    Format(2048, 1556, "2K_Super_35(full-ap)"),
    Format(720, 576, "PAL", 1.09),
    Format(256, 256, "square_256"),
]


class Knob:
    """``nuke.Knob``: a named value on a node."""

    _class = "Knob"

    def __init__(self, name: str, label: Optional[str] = None, value: Any = None) -> None:
        self._name = name
        self._label = label if label is not None else name
        self._value = self._default() if value is None else self._coerce(value)
        self._node: Any = None
        self._visible = True

    # -- value handling (subclasses narrow it) -------------------------------------------------
    def _default(self) -> Any:
        return None

    def _coerce(self, value: Any) -> Any:
        return value

    def Class(self) -> str:
        return self._class

    def name(self) -> str:
        return self._name

    def label(self) -> str:
        return self._label

    def node(self) -> Any:
        return self._node

    def value(self, index: int = 0) -> Any:
        self._check_alive()
        return self._value

    def getValue(self, channel: int = -1) -> Any:
        return self.value()

    def setValue(self, val: Any, chan: int = -1) -> bool:
        self._check_alive()
        self._value = self._coerce(val)
        _state.state.touched()
        if self._node is not None:
            self._node._knob_changed(self)
        return True

    def setVisible(self, visible: bool) -> None:
        self._visible = bool(visible)

    def visible(self) -> bool:
        return self._visible

    def setFlag(self, flag: int) -> None:
        pass

    def setTooltip(self, tooltip: str) -> None:
        if not isinstance(tooltip, str):
            raise TypeError("setTooltip() takes a string")
        self._tooltip = tooltip

    def tooltip(self) -> str:
        return getattr(self, "_tooltip", "")

    def _check_alive(self) -> None:
        if self._node is not None:
            self._node._check_alive()

    def __repr__(self) -> str:
        return f"<{self._class} {self._name}={self._value!r}>"


class String_Knob(Knob):
    _class = "String_Knob"

    def _default(self) -> Any:
        return ""

    def _coerce(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError(f"{self._name}: expected a string, got {type(value).__name__}")
        return value


class EvalString_Knob(String_Knob):
    _class = "EvalString_Knob"


class File_Knob(EvalString_Knob):
    _class = "File_Knob"


class Multiline_Eval_String_Knob(EvalString_Knob):
    _class = "Multiline_Eval_String_Knob"


class Boolean_Knob(Knob):
    _class = "Boolean_Knob"

    def value(self) -> bool:  # type: ignore[override]  (the stub's signature)
        return super().value()

    def setValue(self, b: Any) -> bool:  # type: ignore[override]
        return super().setValue(b)

    def _default(self) -> Any:
        return False

    def _coerce(self, value: Any) -> Any:
        if not isinstance(value, (bool, int, float)):
            raise TypeError(f"{self._name}: expected a boolean, got {type(value).__name__}")
        return bool(value)


class Int_Knob(Knob):
    _class = "Int_Knob"

    def _default(self) -> Any:
        return 0

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{self._name}: expected a number, got {type(value).__name__}")
        return int(value)


class Double_Knob(Knob):
    """Array knobs hold floats: ``root()["first_frame"].value()`` is 1001.0, not 1001."""

    _class = "Double_Knob"

    def _default(self) -> Any:
        return 0.0

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{self._name}: expected a number, got {type(value).__name__}")
        return float(value)


class Array_Knob(Knob):
    """``nuke.Array_Knob``: several numbers; ``value(index)`` is one, ``array()`` all [AR]."""

    _class = "Array_Knob"
    _size = 2

    def _default(self) -> Any:
        return [0.0] * self._size

    def _coerce(self, value: Any) -> Any:
        values = list(value) if isinstance(value, (list, tuple)) else [value] * self._size
        if len(values) != self._size or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
        ):
            raise TypeError(f"{self._name}: expected {self._size} numbers, got {value!r}")
        return [float(v) for v in values]

    def value(self, index: int = 0) -> Any:
        self._check_alive()
        return self._value[index]

    def array(self) -> List[float]:
        self._check_alive()
        return list(self._value)


class Enumeration_Knob(Knob):
    _class = "Enumeration_Knob"

    def __init__(self, name: str, label: Optional[str] = None, values: Sequence[str] = ()):
        self._values = list(values)
        super().__init__(name, label, None)

    def _default(self) -> Any:
        return self._values[0] if self._values else ""

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if 0 <= value < len(self._values):
                return self._values[value]
        elif value in self._values:
            return value
        # [unverified wording] Nuke refuses a value outside the menu
        raise ValueError(f"Bad value for {self._name} : {value}")

    def values(self) -> List[str]:
        return list(self._values)


class Format_Knob(Knob):
    """A node's format; unset, it follows the root's (``root.format``), as new nodes do."""

    _class = "Format_Knob"

    def value(self, index: int = 0) -> Any:
        value = super().value()
        if value is None:
            return _state.state.root["format"].value()
        return value

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, Format):
            return value
        if isinstance(value, str):
            for known in BUILTIN_FORMATS + _state.state.formats:
                if known.name() == value:
                    return known
            raise ValueError(f"unknown format {value!r}")
        raise TypeError(f"{self._name}: expected a Format or a format name")


class Tab_Knob(Knob):
    _class = "Tab_Knob"


class Text_Knob(Knob):
    _class = "Text_Knob"

    def _default(self) -> Any:
        return ""


class PyScript_Knob(String_Knob):
    """A button; ``value()`` is its Python command."""

    _class = "PyScript_Knob"

    def __init__(self, name: str, label: Optional[str] = None, command: str = "") -> None:
        super().__init__(name, label, command)

    def execute(self) -> None:
        from . import _graph

        _graph.run_python(self._value, self._node)


class Color_Knob(Knob):
    _class = "AColor_Knob"

    def _default(self) -> Any:
        return [0.0, 0.0, 0.0, 0.0]

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [float(value)] * 4
        values = [float(v) for v in value]
        if len(values) == 3:
            values.append(1.0)
        if len(values) != 4:
            raise ValueError(f"{self._name}: expected 1, 3 or 4 values")
        return values


# -- the knob tables ---------------------------------------------------------------------------
FILE_TYPES = (
    " ",
    "cin",
    "dpx",
    "exr",
    "hdr",
    "jpeg",
    "mov",
    "null",
    "pfm",
    "png",
    "sgi",
    "targa",
    "tiff",
    "xpm",
    "yuv",
)  # [W] the file_type menu (" " = from the file extension)

#: extensions Nuke maps to a file_type when file_type is " " [W + file name conventions page]
EXTENSION_TYPES = {
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "exr": "exr",
    "tif": "tiff",
    "tiff": "tiff",
    "dpx": "dpx",
    "mov": "mov",
    "cin": "cin",
    "tga": "targa",
}

KnobSpec = Tuple[str, type, Any]

COMMON_KNOBS: List[KnobSpec] = [
    ("name", String_Knob, None),
    ("label", Multiline_Eval_String_Knob, None),
    ("disable", Boolean_Knob, None),
    ("selected", Boolean_Knob, None),
    ("xpos", Int_Knob, None),
    ("ypos", Int_Knob, None),
]

WRITE_KNOBS: List[KnobSpec] = [  # [W]
    ("channels", String_Knob, "rgb"),
    ("file", File_Knob, None),
    ("proxy", File_Knob, None),
    ("frame_mode", Enumeration_Knob, ("expression", "start at", "offset")),
    ("frame", String_Knob, None),
    ("colorspace", String_Knob, "default"),
    ("raw", Boolean_Knob, None),
    ("file_type", Enumeration_Knob, FILE_TYPES),
    ("create_directories", Boolean_Knob, None),
    ("use_limit", Boolean_Knob, None),
    ("first", Int_Knob, 1),
    ("last", Int_Knob, 1),
    ("render_order", Int_Knob, 1),
    ("views", String_Knob, "main"),
    # [PY] the Python tab: Python source run around the render
    ("beforeRender", String_Knob, None),
    ("beforeFrameRender", String_Knob, None),
    ("afterFrameRender", String_Knob, None),
    ("afterRender", String_Knob, None),
    ("renderProgress", String_Knob, None),
]

#: knobs that exist only while ``file_type`` has a given value [FT]
FILE_TYPE_KNOBS: Dict[str, List[KnobSpec]] = {
    "jpeg": [
        ("_jpeg_quality", Double_Knob, 0.75),
        ("_jpeg_sub_sampling", Enumeration_Knob, ("4:1:1", "4:2:2", "4:4:4")),
    ],
    "exr": [
        ("datatype", Enumeration_Knob, ("16 bit half", "32 bit float")),
        (
            "compression",
            Enumeration_Knob,
            ("none", "Zip (1 scanline)", "PIZ Wavelet (32 scanlines)"),
        ),
    ],
    "tiff": [
        ("datatype", Enumeration_Knob, ("8 bit", "16 bit", "32 bit float")),
        ("compression", Enumeration_Knob, ("none", "PackBits", "LZW", "Deflate")),
    ],
    "dpx": [
        ("datatype", Enumeration_Knob, ("8 bit", "10 bit", "12 bit", "16 bit")),
        ("compression", Enumeration_Knob, ("none",)),
    ],
    "mov": [
        ("mov64_codec", Enumeration_Knob, ("appr", "ap4h", "AVdn", "mp4v", "h264", "jpeg")),
        ("mov64_fps", Double_Knob, 24.0),
        ("mov64_quality", Enumeration_Knob, ("High", "Normal", "Low")),
    ],
    "png": [],
}

ROOT_KNOBS: List[KnobSpec] = [  # [R]
    ("name", File_Knob, None),
    ("first_frame", Double_Knob, 1.0),
    ("last_frame", Double_Knob, 100.0),
    ("lock_range", Boolean_Knob, None),
    ("fps", Double_Knob, 24.0),
    ("format", Format_Knob, "HD_1080"),
    ("colorManagement", Enumeration_Knob, ("Nuke", "OCIO")),  # [OC]
    (
        "OCIO_config",
        Enumeration_Knob,
        (
            "nuke-default",
            "fn-nuke_cg-config-v1.0.0_aces-v1.3_ocio-v2.1",
            "fn-nuke_studio-config-v1.0.0_aces-v1.3_ocio-v2.1",
            "custom",
        ),
    ),
    ("customOCIOConfigPath", File_Knob, None),
]

CONSTANT_KNOBS: List[KnobSpec] = [
    ("channels", String_Knob, "rgba"),
    ("color", Color_Knob, None),
    ("format", Format_Knob, None),
]

REFORMAT_KNOBS: List[KnobSpec] = [("format", Format_Knob, None)]

AUDIOREAD_KNOBS: List[KnobSpec] = [  # [AR]
    ("file", File_Knob, None),
    ("begintime", Array_Knob, None),
    ("filebegintime", Array_Knob, None),
    ("ratesource", Enumeration_Knob, ("file", "custom")),
    ("rate", Double_Knob, 48000.0),
]

FRAME_MODES = ("hold", "loop", "bounce", "black")  # [RD]

READ_KNOBS: List[KnobSpec] = [  # [RD]
    ("file", File_Knob, None),
    ("format", Format_Knob, None),
    ("first", Int_Knob, 1),
    ("last", Int_Knob, 1),
    ("before", Enumeration_Knob, FRAME_MODES),
    ("after", Enumeration_Knob, FRAME_MODES),
    ("premultiplied", Boolean_Knob, None),
    ("raw", Boolean_Knob, None),
    ("colorspace", String_Knob, "default"),
    ("on_error", Enumeration_Knob, ("error", "black", "checkerboard", "nearest frame")),
]

MERGE_KNOBS: List[KnobSpec] = [  # [MG] (a subset of the operations)
    ("operation", Enumeration_Knob, ("over", "under", "plus", "multiply", "screen", "copy")),
    ("mix", Double_Knob, 1.0),
]

PREMULT_KNOBS: List[KnobSpec] = [("channels", String_Knob, "rgb"), ("alpha", String_Knob, "alpha")]

#: node classes the fake can create, with their knobs and number of inputs
NODE_CLASSES: Dict[str, Tuple[List[KnobSpec], int]] = {
    "Write": (WRITE_KNOBS, 1),
    "Constant": (CONSTANT_KNOBS, 0),
    "CheckerBoard2": (CONSTANT_KNOBS, 0),
    "Reformat": (REFORMAT_KNOBS, 1),
    "Grade": ([("white", Double_Knob, 1.0)], 1),
    "NoOp": ([], 1),
    "Dot": ([], 1),
    "AudioRead": (AUDIOREAD_KNOBS, 0),
    "Viewer": ([("frame_range", String_Knob, None), ("viewerProcess", String_Knob, None)], 10),
    "Read": (READ_KNOBS, 0),
    "Merge2": (MERGE_KNOBS, 3),  # B, A, mask [MG]
    "Premult": (PREMULT_KNOBS, 1),
}


def make_knob(name: str, kind: type, default: Any) -> Knob:
    if kind is Enumeration_Knob:
        return Enumeration_Knob(name, None, default or ())
    return kind(name, None, default)
