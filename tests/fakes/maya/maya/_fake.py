"""The fake Maya session: scene state, UI state, a call log, and the commands' behaviour.

``state`` is the one session; ``state.reset()`` (the tests' autouse fixture) puts it back to a
fresh GUI Maya with an untitled scene, the four startup cameras and four model panels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _schema
from ._overlay import ImagePlanes
from ._png import write_png

MAIN_WINDOW = "MayaWindow"
MAIN_PROGRESS_BAR = (
    "MayaWindow|toolBar5|MainHelpLineLayout|helpLineFrame|formLayout16|mainProgressBar"
)
SCENE_MARKER = "//ft_dcc fake maya scene: "

#: playblast(q=True, format=True) per simulated platform (host-apis.md §0.7: on Linux only image
#: sequences are safe; movie formats are WebM there, QuickTime/avi/avfoundation elsewhere)
PLATFORM_FORMATS = {
    "linux": ["image"],
    "windows": ["image", "qt", "avi"],
    "darwin": ["image", "qt", "avfoundation"],
}
#: image types playblast(format="image", compression=...) knows (Maya's image formats)
IMAGE_COMPRESSIONS = ["als", "bmp", "cin", "exr", "gif", "iff", "jpg", "pic", "png", "psd",
                      "rla", "sgi", "tga", "tif", "yuv"]  # fmt: skip
#: the ones the fake writes for real (others raise NotImplementedError instead of faking it)
WRITTEN_COMPRESSIONS = {"png": "png"}

#: currentUnit(time=...) names and their rates (host-apis.md §2.3)
TIME_UNITS = {
    "game": 15, "film": 24, "pal": 25, "ntsc": 30, "show": 48, "palf": 50, "ntscf": 60,
    "23.976fps": 23.976, "29.97fps": 29.97, "29.97df": 29.97, "47.952fps": 47.952,
    "59.94fps": 59.94, "44100fps": 44100, "48000fps": 48000,
    "hour": 1 / 3600, "min": 1 / 60, "sec": 1, "millisec": 1000,
}  # fmt: skip
TIME_UNIT_FULL_NAMES = {"film": "24 FPS", "pal": "25 FPS", "ntsc": "30 FPS", "game": "15 FPS"}
#: commands that need Maya's UI: they raise in batch mode
UI_EXTRA = {"lookThru"}

STARTUP_CAMERAS = ("persp", "top", "front", "side")
#: what ``mel.eval("$s = $gPlayBackSlider")`` gives in the fake's GUI session (the name is the
#: fake's; scripts always read it from the MEL global, e.g. the ``sound`` command's docs example)
TIME_SLIDER = "MayaWindow|mainTimeSliderLayout|formLayout9|frameLayout2|timeControl1"
#: camera focalLength default, mm (Maya's camera node: focalLength default 35)
DEFAULT_FOCAL_LENGTH = 35.0
#: modelEditor query defaults of a new panel (Maya's defaults: smooth shaded, default lighting)
PANEL_DISPLAY_DEFAULTS = {
    "displayAppearance": "smoothShaded",
    "displayLights": "default",
    "displayTextures": False,
    "wireframeOnShaded": False,
    # a new model panel shows its grid, manipulators, selection highlight and heads-up display
    "grid": True,
    "manipulators": True,
    "selectionHiliteDisplay": True,
    "headsUpDisplay": True,
}
#: the values modelEditor -displayAppearance takes (Maya 2025 command reference)
DISPLAY_APPEARANCES = ("wireframe", "points", "boundingBox", "smoothShaded", "flatShaded")
#: boolean modelEditor flags the fake stores when edited
PANEL_FLAGS_EDITED = ("displayTextures", "grid", "manipulators", "selectionHiliteDisplay",
                      "headsUpDisplay")  # fmt: skip


def default_colour() -> Dict[str, Any]:
    """Maya 2025's colour management of a new scene (the OCIO v2 default config). The output
    transform settings exist per target, ``renderer`` and ``playblast`` (colorManagementGlobals:
    outputTransformEnabled/outputUseViewTransform/outputTransformName and their playblast*
    twins; defaults false/true/-)."""
    output = {
        "outputTransformEnabled": False,
        "outputUseViewTransform": True,
        "outputTransformName": "ACES 1.0 SDR-video (sRGB)",
    }
    return {
        "cmEnabled": True,
        "cmConfigFileEnabled": False,
        "configFilePath": "<MAYA_RESOURCES>/OCIO-configs/Maya2022-default/config.ocio",
        "renderingSpaceName": "ACEScg",
        "viewTransformName": "ACES 1.0 SDR-video (sRGB)",
        "displayName": "sRGB",
        "viewName": "ACES 1.0 SDR-video",
        "outputs": {"renderer": dict(output), "playblast": dict(output)},
    }


class FakeMaya(ImagePlanes):
    """One fake Maya session."""

    def __init__(self) -> None:
        self.reset()

    # -- test controls ------------------------------------------------------------------------
    def reset(self, batch: bool = False, platform: str = "linux") -> None:
        self.batch = batch
        self.platform = platform
        self.scene_name = ""
        self.modified = False
        self.playback = {
            "minTime": 1.0,
            "maxTime": 120.0,
            "animationStartTime": 1.0,
            "animationEndTime": 200.0,
        }
        self.time_unit = "film"
        self.current_time = 1.0
        self.attributes: Dict[str, Any] = {
            "defaultResolution.width": 960,
            "defaultResolution.height": 540,
        }
        self.cameras: Dict[str, str] = {}  # transform -> shape
        for name in STARTUP_CAMERAS:
            self.add_camera(name, renderable=(name == "persp"))
        self.panels: Dict[str, Dict[str, Any]] = {}
        if not batch:
            for index, camera in enumerate(("top", "side", "front", "persp"), start=1):
                self.panels[f"modelPanel{index}"] = {"type": "modelPanel", "camera": camera}
            self.panels["outlinerPanel1"] = {"type": "outlinerPanel"}
        self.focus_panel: Optional[str] = None if batch else "modelPanel4"
        self.window_size = (1280, 720)
        self.ui: Dict[str, Dict[str, Any]] = {} if batch else {MAIN_WINDOW: {"type": "window"}}
        self.current_menu: Optional[str] = None
        self.ui_parent: Optional[str] = None  # the window or layout new controls go into
        #: scripted answers; a layoutDialog's is the artist at the open dialog: a callable
        #: given this fake and the dialog's form (it ticks boxes, presses a button)
        self.answers: Dict[str, List[Any]] = {
            "confirmDialog": [], "promptDialog": [], "layoutDialog": [],
        }  # fmt: skip
        self.dismissed: Optional[str] = None  # what layoutDialog -dismiss gave
        self.dialogs: List[Dict[str, Any]] = []
        self.prompt_text = ""
        self.progress_bar: Dict[str, Any] = {"active": False, "progress": 0, "status": ""}
        self.progress_history: List[Dict[str, Any]] = []
        self.deferred: List[Any] = []
        self.calls: List[Tuple[str, tuple, Dict[str, Any]]] = []
        self.failures: Dict[str, BaseException] = {}
        self.viewer_launched = False
        self.playblasts: List[Dict[str, Any]] = []
        #: "actual" frame numbers for startTime/endTime (what pipelines rely on), or
        #: "from_zero" to simulate the other reading of the docs (host-apis.md §2.2, unverified)
        self.playblast_numbering = "actual"
        self._counter = 0
        self.colour = default_colour()
        self.audio: Dict[str, Dict[str, Any]] = {}  # audio node -> its sound() values
        self.slider = {"sound": "", "displaySound": False}
        self.reset_image_planes()

    def add_camera(self, name: str, renderable: bool = False) -> str:
        shape = f"{name}Shape"
        self.cameras[name] = shape
        self.attributes[f"{shape}.renderable"] = renderable
        return name

    def fail_next(self, command: str, error: BaseException) -> None:
        """Make the next call of ``command`` raise ``error`` (after its flags were checked)."""
        self.failures[command] = error

    def calls_of(self, command: str) -> List[Dict[str, Any]]:
        return [flags for name, _, flags in self.calls if name == command]

    def commands_called(self) -> List[str]:
        return [name for name, _, _ in self.calls]

    def run_deferred(self) -> None:
        """What Maya does when it becomes idle: run the evalDeferred queue."""
        while self.deferred:
            item = self.deferred.pop(0)
            if callable(item):
                item()
            else:
                exec(compile(item, "<evalDeferred>", "exec"), {"__name__": "__main__"})

    def click(self, label: str) -> None:
        """The artist picks the menu item called ``label`` (Maya passes one positional arg)."""
        for name, item in self.ui.items():
            if item["type"] == "menuItem" and item["flags"].get("label") == label:
                command = item["flags"].get("command")
                if callable(command):
                    command(False)
                else:
                    exec(compile(command, name, "exec"), {"__name__": "__main__"})
                return
        raise LookupError(f"fake: no menu item labelled {label!r}")

    def save_scene_file(self, path: Path) -> None:
        data = {
            "playback": self.playback,
            "time_unit": self.time_unit,
            "attributes": self.attributes,
            "cameras": self.cameras,
        }
        Path(path).write_text(
            f"//Maya ASCII 2025 scene\n{SCENE_MARKER}{json.dumps(data)}\n", encoding="utf-8"
        )

    # -- dispatch -----------------------------------------------------------------------------
    def call(self, command: str, args: tuple, flags: Dict[str, Any]) -> Any:
        self.calls.append((command, args, dict(flags)))
        kind = _schema.command_type(command)
        if self.batch and (kind == "windows" or command in UI_EXTRA):
            raise RuntimeError(f"{command}: this command needs the Maya UI (batch mode)")
        mode, values = _schema.normalise(command, flags)
        self.calls[-1] = (command, args, dict(values, _mode=mode))
        handler: Optional[Callable[..., Any]] = getattr(self, f"cmd_{command}", None)
        if handler is None:
            raise NotImplementedError(f"fake: maya.cmds.{command} is not modelled")
        failure = self.failures.pop(command, None)
        if failure is not None and command != "playblast":
            raise failure
        if failure is not None:
            values["_fail"] = failure
        return handler(mode, args, values)

    @staticmethod
    def _unmodelled(command: str, mode: str, values: Dict[str, Any]) -> Any:
        raise NotImplementedError(f"fake: {command}({mode} mode, {sorted(values)}) is not modelled")

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    # -- scene --------------------------------------------------------------------------------
    def cmd_about(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if v.get("batch"):
            return self.batch
        for name in ("linux", "windows", "macOS"):
            if v.get(name):
                return self.platform == {"macOS": "darwin"}.get(name, name)
        if v.get("version"):
            return "2025"
        return self._unmodelled("about", mode, v)

    def cmd_file(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "query":
            if v.get("sceneName"):
                return self.scene_name
            if v.get("modified"):
                return self.modified
            return self._unmodelled("file", mode, v)
        if v.get("rename") is not None:
            self.scene_name = str(Path(v["rename"]))
            return self.scene_name
        if "modified" in v:
            self.modified = bool(v["modified"])
            return None
        if v.get("save"):
            if not self.scene_name:
                raise RuntimeError("file: the scene is untitled; use file -rename before -save")
            path = Path(self.scene_name)
            if not path.parent.is_dir():
                raise RuntimeError(f"file: cannot save {path}: the folder does not exist")
            self.save_scene_file(path)
            self.modified = False
            return str(path)
        if v.get("open"):
            if not args:
                raise RuntimeError("file: -open needs a file name")
            if self.modified and not v.get("force"):
                raise RuntimeError("file: the scene has unsaved changes (use -force to open)")
            path = Path(args[0])
            if not path.is_file():
                raise RuntimeError(f'file: File not found: "{path}"')
            self._load_scene(path)
            return str(path)
        return self._unmodelled("file", mode, v)

    def _load_scene(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8", errors="replace")
        data: Dict[str, Any] = {}
        for line in text.splitlines():
            if line.startswith(SCENE_MARKER):
                data = json.loads(line[len(SCENE_MARKER) :])
        if not data:
            raise NotImplementedError(
                f"fake: {path} was not written by the fake (only its own scene files open)"
            )
        self.playback.update(data["playback"])
        self.time_unit = data["time_unit"]
        self.attributes.update(data["attributes"])
        self.cameras = dict(data["cameras"])
        self.scene_name = str(path)
        self.modified = False

    def cmd_playbackOptions(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        keys = ("minTime", "maxTime", "animationStartTime", "animationEndTime")
        if mode == "query":
            for key in keys:
                if v.get(key):
                    return float(self.playback[key])
            return self._unmodelled("playbackOptions", mode, v)
        for key in keys:
            if key in v:
                self.playback[key] = float(v[key])
        return None

    def cmd_currentUnit(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "query":
            if v.get("time"):
                if v.get("fullName"):
                    return TIME_UNIT_FULL_NAMES.get(self.time_unit, self.time_unit)
                return self.time_unit
            return self._unmodelled("currentUnit", mode, v)
        if "time" in v:
            if v["time"] not in TIME_UNITS:
                raise RuntimeError(f"currentUnit: invalid time unit '{v['time']}'")
            self.time_unit = v["time"]
            return None
        return self._unmodelled("currentUnit", mode, v)

    def cmd_currentTime(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "query":
            return self.current_time
        if not args:
            raise RuntimeError("currentTime: a time is required")
        self.current_time = float(args[0])
        return self.current_time

    def _node_exists(self, name: str) -> bool:
        base = name.split(".")[0].lstrip("|")
        return (
            base in self.cameras
            or base in self.cameras.values()
            or base in self.audio
            or base in self.image_planes
            or base in ("defaultResolution",)
        )

    # -- cameras, colour management, sound ------------------------------------------------------
    def cmd_camera(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if len(args) != 1:
            raise RuntimeError("camera: one camera must be given")
        shape = self.cameras.get(self._camera_transform(str(args[0])))
        key = f"{shape}.focalLength"
        if mode == "query" and v.get("focalLength"):
            return float(self.attributes.get(key, DEFAULT_FOCAL_LENGTH))
        if mode == "edit" and "focalLength" in v:
            self.attributes[key] = float(v["focalLength"])
            return None
        return self._unmodelled("camera", mode, v)

    def cmd_colorManagementPrefs(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        v = dict(v)
        target = v.pop("outputTarget", "renderer")
        if target not in self.colour["outputs"]:
            raise RuntimeError(f"colorManagementPrefs: invalid output target '{target}'")
        output = self.colour["outputs"][target]
        if mode == "query" and len(v) == 1:
            (flag,) = v
            if flag in output:
                return output[flag]
            if flag in self.colour and flag != "outputs":
                return self.colour[flag]
        if mode == "edit":
            if v.get("outputUseViewTransform"):  # "turns use view transform mode on"
                output["outputUseViewTransform"] = True
            if "outputTransformName" in v:  # naming a transform turns that mode off
                output.update(
                    outputTransformName=v["outputTransformName"], outputUseViewTransform=False
                )
            if "outputTransformEnabled" in v:
                output["outputTransformEnabled"] = bool(v["outputTransformEnabled"])
            for key in set(v) & (set(self.colour) - {"outputs"}):
                self.colour[key] = v[key]
            return None
        return self._unmodelled("colorManagementPrefs", mode, v)

    def cmd_sound(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "create":
            path = Path(v.get("file", ""))
            if not path.is_file():
                raise RuntimeError(f"sound: cannot open the sound file '{path}'")
            name = v.get("name") or self._name("audio")
            self.audio[name] = {
                "file": str(path),
                "offset": float(v.get("offset", 0.0)),
                "mute": bool(v.get("mute", False)),
                "sourceStart": float(v.get("sourceStart", 0.0)),
            }
            self.audio[name]["sourceEnd"] = float(v.get("sourceEnd", self._sound_length(name)))
            return name
        if len(args) != 1 or args[0] not in self.audio:
            raise RuntimeError(f"sound: object '{args[0] if args else ''}' not found")
        node = self.audio[args[0]]
        if mode == "query":
            if v.get("length"):
                return self._sound_length(args[0])
            if v.get("endTime"):
                return node["offset"] + node["sourceEnd"] - node["sourceStart"]
            for key in ("file", "offset", "mute", "sourceStart", "sourceEnd"):
                if v.get(key):
                    return node[key]
            return self._unmodelled("sound", mode, v)
        for key in ("offset", "mute", "sourceStart", "sourceEnd"):
            if key in v:
                node[key] = v[key]
        return None

    def _sound_length(self, name: str) -> float:
        """The sound file's length in frames of the current time unit (WAV files only)."""
        import wave

        path = self.audio[name]["file"]
        try:
            with wave.open(path, "rb") as handle:
                seconds = handle.getnframes() / handle.getframerate()
        except wave.Error as error:
            raise NotImplementedError(f"fake: only WAV files are modelled ({path})") from error
        return seconds * TIME_UNITS[self.time_unit]

    def cmd_timeControl(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if len(args) != 1 or args[0] != TIME_SLIDER:
            raise RuntimeError(f"timeControl: object '{args[0] if args else ''}' not found")
        if mode == "query" and len(v) == 1 and next(iter(v)) in self.slider:
            return self.slider[next(iter(v))]
        if mode == "edit" and set(v) <= set(self.slider):
            if v.get("sound") and v["sound"] not in self.audio:
                raise RuntimeError(f"timeControl: '{v['sound']}' is not an audio node")
            self.slider.update(v)
            return None
        return self._unmodelled("timeControl", mode, v)

    def cmd_getAttr(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if len(args) != 1:
            raise RuntimeError("getAttr: exactly one attribute must be given")
        name = str(args[0]).lstrip("|")
        if not self._node_exists(name):
            raise ValueError(f"No object matches name: {args[0]}")
        if name not in self.attributes:
            return self._unmodelled("getAttr", mode, {name: True})
        return self.attributes[name]

    def cmd_objExists(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        return self._node_exists(str(args[0]))

    def cmd_ls(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if args:
            return self._unmodelled("ls", mode, dict(v, objects=True))
        if v.get("cameras") or v.get("type") == "camera":
            return sorted(self.cameras.values())
        if v.get("type") == "audio":
            return sorted(self.audio)
        return self._unmodelled("ls", mode, v)

    def cmd_listRelatives(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if not v.get("parent") or len(args) != 1:
            return self._unmodelled("listRelatives", mode, v)
        shape = str(args[0]).lstrip("|")
        for transform, camera_shape in self.cameras.items():
            if camera_shape == shape:
                return [f"|{transform}" if v.get("fullPath") else transform]
        if not self._node_exists(shape):
            raise ValueError(f"No object matches name: {args[0]}")
        return None

    # -- panels -------------------------------------------------------------------------------
    def cmd_getPanel(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if v.get("withFocus"):
            return self.focus_panel or ""
        if v.get("typeOf") is not None:
            panel = self.panels.get(v["typeOf"])
            return panel["type"] if panel else ""
        if v.get("type") is not None:
            return [name for name, p in self.panels.items() if p["type"] == v["type"]] or None
        if v.get("visiblePanels") or v.get("allPanels"):
            return list(self.panels) or None
        return self._unmodelled("getPanel", mode, v)

    def _camera_transform(self, name: str) -> str:
        base = name.lstrip("|")
        if base in self.cameras:
            return base
        for transform, shape in self.cameras.items():
            if shape == base:
                return transform
        raise RuntimeError(f"modelEditor: '{name}' is not a camera")

    def cmd_modelEditor(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if len(args) != 1 or args[0] not in self.panels:
            raise RuntimeError(f"modelEditor: object '{args[0] if args else ''}' not found")
        panel = self.panels[args[0]]
        if panel["type"] != "modelPanel":
            raise RuntimeError(f"modelEditor: '{args[0]}' is not a model editor")
        if mode == "query":
            if v.get("camera"):
                return panel["camera"]
            if v.get("activeView"):
                return self.focus_panel == args[0]
            for key, default in PANEL_DISPLAY_DEFAULTS.items():
                if v.get(key):
                    return panel.get(key, default)
            if v.get("viewSelected"):
                return bool(panel.get("viewSelected", False))
            return self._unmodelled("modelEditor", mode, v)
        if mode == "edit":
            return self._model_editor_edit(args[0], panel, v)
        return self._unmodelled("modelEditor", mode, v)

    def _model_editor_edit(self, name: str, panel: Dict[str, Any], v: Dict[str, Any]) -> Any:
        if "camera" in v:
            panel["camera"] = self._camera_transform(v["camera"])
        if v.get("activeView"):
            self.focus_panel = name
        if "displayAppearance" in v:
            if v["displayAppearance"] not in DISPLAY_APPEARANCES:
                raise RuntimeError(
                    f"modelEditor: invalid displayAppearance '{v['displayAppearance']}'"
                )
            panel["displayAppearance"] = v["displayAppearance"]
        if "viewSelected" in v:
            panel["viewSelected"] = bool(v["viewSelected"])
        for flag in PANEL_FLAGS_EDITED:
            if flag in v:
                panel[flag] = bool(v[flag])
        modelled = {"camera", "activeView", "displayAppearance", "viewSelected"}
        unknown = set(v) - modelled - set(PANEL_FLAGS_EDITED)
        if unknown:
            return self._unmodelled("modelEditor", "edit", v)
        return None

    # -- menus and dialogs ----------------------------------------------------------------------
    def cmd_menu(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        name = args[0] if args else None
        if mode == "create" and v.get("exists"):
            return bool(name) and self.ui.get(name, {}).get("type") == "menu"
        if mode == "create":
            parent = v.get("parent", MAIN_WINDOW)
            if parent not in self.ui:
                raise RuntimeError(f"menu: parent '{parent}' not found")
            name = name or self._name("menu")
            if name in self.ui:
                raise RuntimeError(f"menu: object's name '{name}' is not unique")
            self.ui[name] = {"type": "menu", "flags": v, "parent": parent}
            self.current_menu = name
            return name
        if name not in self.ui:
            raise RuntimeError(f"menu: object '{name}' not found")
        if mode == "query" and v.get("itemArray"):
            items = [n for n, item in self.ui.items() if item.get("parent") == name]
            return items or None
        if mode == "edit":
            self.ui[name]["flags"].update(v)
            return None
        return self._unmodelled("menu", mode, v)

    def cmd_menuItem(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode != "create":
            return self._unmodelled("menuItem", mode, v)
        parent = v.get("parent", self.current_menu)
        if parent is None or parent not in self.ui:
            raise RuntimeError("menuItem: no menu to add the item to")
        name = args[0] if args else self._name("menuItem")
        self.ui[name] = {"type": "menuItem", "flags": v, "parent": parent}
        return name

    def cmd_deleteUI(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        for name in args:
            if name not in self.ui:
                raise RuntimeError(f"deleteUI: object '{name}' not found")
            if v.get("window") and self.ui[name]["type"] != "window":
                raise RuntimeError(f"deleteUI: object '{name}' is not a window")
            self._delete_ui(name)
        return None

    def _delete_ui(self, name: str) -> None:
        del self.ui[name]
        for child in [n for n, item in self.ui.items() if item.get("parent") == name]:
            self._delete_ui(child)

    # -- windows and controls (facts: Maya 2025 command reference; textScrollList indices are
    # 1-based and its controls return their full path name: docs.huihoo.com/autodesk/maya/2017/
    # english/CommandsPython/textScrollList.html; a new window is the parent of the layouts and
    # controls created after it, each layout the parent of what follows, until showWindow) ----
    def _control(self, kind: str, args: tuple, v: Dict[str, Any]) -> str:
        if not self.ui_parent or self.ui_parent not in self.ui:
            raise RuntimeError(f"{kind}: no window or layout to put the control in")
        parent = v.get("parent", self.ui_parent)
        name = f"{parent}|{args[0] if args else self._name(kind)}"
        if name in self.ui:
            raise RuntimeError(f"{kind}: object's name '{name}' is not unique")
        self.ui[name] = {"type": kind, "flags": dict(v), "parent": parent}
        return name

    def _existing(self, kind: str, args: tuple) -> Dict[str, Any]:
        name = args[0] if args else ""
        found = self.ui.get(name)
        if found is None or found["type"] != kind:
            raise RuntimeError(f"{kind}: object '{name}' not found")
        return found

    def cmd_window(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        name = args[0] if args else None
        if mode == "create" and v.get("exists"):
            return bool(name) and self.ui.get(name, {}).get("type") == "window"
        if mode != "create":
            return self._unmodelled("window", mode, v)
        name = name or self._name("window")
        if name in self.ui:
            raise RuntimeError(f"window: object's name '{name}' is not unique")
        self.ui[name] = {"type": "window", "flags": dict(v), "shown": False}
        self.ui_parent = name
        return name

    def cmd_columnLayout(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode != "create":
            return self._unmodelled("columnLayout", mode, v)
        self.ui_parent = self._control("columnLayout", args, v)
        return self.ui_parent

    def cmd_text(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "edit":
            self._existing("text", args)["flags"].update(v)
            return None
        return (
            self._control("text", args, v)
            if mode == "create"
            else self._unmodelled("text", mode, v)
        )

    def cmd_button(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode != "create":
            return self._unmodelled("button", mode, v)
        return self._control("button", args, v)

    def cmd_textScrollList(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "create":
            name = self._control("textScrollList", args, v)
            self.ui[name].update(items=[], selected=[])
            self._edit_list(self.ui[name], v)
            return name
        found = self._existing("textScrollList", args)
        if mode == "edit":
            self._edit_list(found, v)
            return None
        if v.get("selectIndexedItem"):
            return list(found["selected"]) or None
        if v.get("allItems"):
            return list(found["items"]) or None
        if v.get("numberOfItems"):
            return len(found["items"])
        return self._unmodelled("textScrollList", mode, v)

    @staticmethod
    def _edit_list(found: Dict[str, Any], v: Dict[str, Any]) -> None:
        if v.get("removeAll"):
            found.update(items=[], selected=[])
        append = v.get("append", [])
        found["items"] += [append] if isinstance(append, str) else list(append)
        if "selectCommand" in v:
            found["flags"]["selectCommand"] = v["selectCommand"]
        if "selectIndexedItem" in v:
            index = v["selectIndexedItem"]
            for one in [index] if isinstance(index, int) else index:
                if not 1 <= one <= len(found["items"]):
                    raise RuntimeError(f"textScrollList: index {one} is out of range")
            found["selected"] = [index] if isinstance(index, int) else list(index)

    def cmd_textField(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "create":
            name = self._control("textField", args, v)
            self.ui[name]["text"] = v.get("text", "")
            return name
        found = self._existing("textField", args)
        if mode == "edit":
            found["flags"].update(v)
            found["text"] = v.get("text", found["text"])
            return None
        if v.get("text"):
            return found["text"]
        return self._unmodelled("textField", mode, v)

    def type_into(self, name: str, text: str) -> None:
        """The artist types ``text`` into the textField ``name``: its changeCommand runs with
        the new text (as Maya passes it to a Python callable)."""
        found = self._existing("textField", (name,))
        found["text"] = text
        command = found["flags"].get("changeCommand")
        if callable(command):
            command(text)

    def cmd_showWindow(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        window = self._existing("window", args)
        window["shown"] = True
        self.ui_parent = None
        return None

    def select_list_item(self, name: str, index: int) -> None:
        """The artist clicks the 1-based ``index`` line of the textScrollList ``name``."""
        found = self._existing("textScrollList", (name,))
        self._edit_list(found, {"selectIndexedItem": index})
        command = found["flags"].get("selectCommand")
        if callable(command):
            command()
        elif command:
            exec(compile(command, name, "exec"), {"__name__": "__main__"})

    # -- layoutDialog (facts: Maya 2025 command reference, layoutDialog.html: "-uiScript" builds
    # the dialog's contents, its parent a formLayout, ``setParent -q`` names it; the dialog
    # returns the string given to "layoutDialog -dismiss", or "dismiss" when closed otherwise;
    # checkBox.html: -label, -value (create/query/edit), -changeCommand) ----------------------
    def cmd_layoutDialog(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if "dismiss" in v:
            if self.dismissed is not None or not any(
                item["type"] == "layoutDialog" for item in self.ui.values()
            ):
                raise RuntimeError("layoutDialog: no layoutDialog to dismiss")
            self.dismissed = str(v["dismiss"])
            return None
        script = v.get("uiScript")
        if script is None:
            raise RuntimeError("layoutDialog: -uiScript is required")
        dialog = self._name("layoutDialog")
        self.ui[dialog] = {"type": "layoutDialog", "flags": dict(v)}
        form = f"{dialog}|{self._name('formLayout')}"
        self.ui[form] = {"type": "formLayout", "flags": {}, "parent": dialog}
        self.dialogs.append(dict(v, _kind="layoutDialog"))
        outer, self.ui_parent, self.dismissed = self.ui_parent, form, None
        try:
            if callable(script):
                script()
            else:
                exec(compile(script, dialog, "exec"), {"__name__": "__main__"})
            if self.answers["layoutDialog"]:
                self.answers["layoutDialog"].pop(0)(self, form)
            return self.dismissed if self.dismissed is not None else "dismiss"
        finally:
            self._delete_ui(dialog)
            self.ui_parent, self.dismissed = outer, None

    def cmd_setParent(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "query" and not v.get("menu"):
            return self.ui_parent
        if mode == "create" and args and args[0] in self.ui:
            self.ui_parent = args[0]
            return self.ui_parent
        return self._unmodelled("setParent", mode, v)

    def cmd_checkBox(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "create":
            name = self._control("checkBox", args, v)
            self.ui[name]["value"] = bool(v.get("value", False))
            return name
        found = self._existing("checkBox", args)
        if mode == "edit":
            found["flags"].update(v)
            found["value"] = bool(v.get("value", found["value"]))
            return None
        if v.get("value"):
            return found["value"]
        if v.get("label"):
            return found["flags"].get("label", "")
        return self._unmodelled("checkBox", mode, v)

    def controls(self, kind: str, under: str) -> List[str]:
        """The names of the ``kind`` controls inside ``under`` (a window, layout or dialog)."""
        return [n for n, item in self.ui.items() if item["type"] == kind and n.startswith(under)]

    def tick(self, name: str, value: bool = True) -> None:
        """The artist clicks the checkBox ``name`` to ``value``: its changeCommand runs with
        the new value (as Maya passes it to a Python callable)."""
        found = self._existing("checkBox", (name,))
        found["value"] = bool(value)
        command = found["flags"].get("changeCommand")
        if callable(command):
            command(bool(value))

    def press(self, name: str) -> None:
        """The artist presses the button ``name`` (Maya passes one positional arg)."""
        command = self._existing("button", (name,))["flags"].get("command")
        if callable(command):
            command(False)
        elif command:
            exec(compile(command, name, "exec"), {"__name__": "__main__"})

    def cmd_confirmDialog(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if v.get("icon") not in (None, "question", "information", "warning", "critical"):
            raise RuntimeError(f"confirmDialog: invalid icon '{v['icon']}'")
        self.dialogs.append(dict(v, _kind="confirmDialog"))
        buttons = v.get("button") or ["Confirm"]
        buttons = [buttons] if isinstance(buttons, str) else list(buttons)
        if self.answers["confirmDialog"]:
            answer = self.answers["confirmDialog"].pop(0)
            if answer not in buttons and answer != v.get("dismissString"):
                raise AssertionError(f"fake: scripted answer {answer!r} is not one of {buttons}")
            return answer
        return v.get("defaultButton", buttons[0])

    def cmd_promptDialog(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode == "query":
            if v.get("text"):
                return self.prompt_text
            return self._unmodelled("promptDialog", mode, v)
        self.dialogs.append(dict(v, _kind="promptDialog"))
        buttons = v.get("button") or ["OK"]
        buttons = [buttons] if isinstance(buttons, str) else list(buttons)
        self.prompt_text = v.get("text", "")
        if self.answers["promptDialog"]:
            answer, text = self.answers["promptDialog"].pop(0)
            if answer not in buttons and answer != v.get("dismissString"):
                raise AssertionError(f"fake: scripted answer {answer!r} is not one of {buttons}")
            if text is not None:
                self.prompt_text = text
            return answer
        return v.get("defaultButton", buttons[0])

    def cmd_progressBar(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if not args or args[0] != MAIN_PROGRESS_BAR:
            raise RuntimeError(f"progressBar: object '{args[0] if args else ''}' not found")
        bar = self.progress_bar
        if mode == "query":
            if v.get("isCancelled"):
                return False
            if v.get("progress"):
                return bar["progress"]
            return self._unmodelled("progressBar", mode, v)
        if mode != "edit":
            raise RuntimeError(f"progressBar: object's name '{args[0]}' is not unique")
        if v.get("beginProgress"):
            bar.update(active=True, progress=0)
        for key in ("progress", "status", "maxValue", "isInterruptable"):
            if key in v:
                bar[key] = v[key]
        if v.get("endProgress"):
            bar["active"] = False
        self.progress_history.append(dict(v))
        return None

    def cmd_evalDeferred(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if len(args) != 1:
            raise RuntimeError("evalDeferred: one command (a string or a callable) is required")
        self.deferred.append(args[0])
        return None

    # -- playblast --------------------------------------------------------------------------------
    def cmd_playblast(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        failure = v.pop("_fail", None)
        if mode == "query":
            return self._playblast_query(mode, v)
        panel_name = self._playblast_panel(v)
        if v.get("activeEditor"):
            return panel_name
        compression = self._playblast_compression(mode, v)
        prefix = self._playblast_prefix(mode, v)
        frames = self._playblast_frames(v)
        pad = int(v.get("framePadding", 4))
        ext = WRITTEN_COMPRESSIONS[compression]
        if v.get("completeFilename"):
            outputs = [Path(prefix)] * len(frames)
        else:
            outputs = [Path(f"{prefix}.{number:0{pad}d}.{ext}") for _, number in frames]
        if not v.get("forceOverwrite"):
            existing = [str(p) for p in outputs if p.exists()]
            if existing:
                raise RuntimeError(
                    f"playblast: {existing[0]} already exists; aborting (use -forceOverwrite)"
                )
        self._playblast_write(v, panel_name, frames, outputs, failure)
        if v.get("viewer", True):
            self.viewer_launched = True
        if v.get("completeFilename"):
            return str(prefix)
        return f"{prefix}.{'#' * pad}.{ext}"

    def _playblast_query(self, mode: str, v: Dict[str, Any]) -> Any:
        if v.get("compression"):
            if v.get("format", "image") == "image":
                return list(IMAGE_COMPRESSIONS)
            return self._unmodelled("playblast", mode, v)
        if v.get("format") is True or v.get("format") == 1:
            return list(PLATFORM_FORMATS[self.platform])
        return self._unmodelled("playblast", mode, v)

    def _playblast_panel(self, v: Dict[str, Any]) -> Optional[str]:
        if v.get("editorPanelName") is not None and self.batch:
            raise RuntimeError("playblast: there are no panels in batch mode")
        panel_name = v.get("editorPanelName") or self._active_model_panel()
        if panel_name is not None and panel_name not in self.panels:
            raise RuntimeError(f"playblast: panel '{panel_name}' not found")
        return panel_name

    def _playblast_compression(self, mode: str, v: Dict[str, Any]) -> str:
        formats = PLATFORM_FORMATS[self.platform]
        fmt = v.get("format", "movie")
        if fmt == "iff":
            fmt = "image"
        if fmt not in formats:
            raise RuntimeError(
                f"playblast: format '{fmt}' is not available on {self.platform} "
                f"(available: {', '.join(formats)})"
            )
        if fmt != "image":
            return self._unmodelled("playblast", mode, dict(v, movie=True))
        compression = v.get("compression") or "iff"  # fake: Render Settings default image type
        if compression == "none":
            compression = "iff"
        if compression not in IMAGE_COMPRESSIONS:
            raise RuntimeError(f"playblast: unknown image compression '{compression}'")
        if compression not in WRITTEN_COMPRESSIONS:
            return self._unmodelled("playblast", mode, dict(v, writes=compression))
        return str(compression)

    def _playblast_prefix(self, mode: str, v: Dict[str, Any]) -> str:
        if v.get("filename") and v.get("completeFilename"):
            raise RuntimeError("playblast: use either -filename or -completeFilename, not both")
        prefix = v.get("filename") or v.get("completeFilename")
        if not prefix:
            return self._unmodelled("playblast", mode, dict(v, temp_file=True))
        if not Path(prefix).parent.is_dir():
            raise RuntimeError(f"playblast: cannot write '{prefix}': the folder does not exist")
        return str(prefix)

    def _playblast_write(
        self,
        v: Dict[str, Any],
        panel_name: Optional[str],
        frames: List[Tuple[float, int]],
        outputs: List[Path],
        failure: Optional[BaseException],
    ) -> None:
        width, height = self._playblast_size(v)
        camera = self.panels[panel_name]["camera"] if panel_name else None
        saved_time = self.current_time
        written: List[str] = []
        try:
            for (time, _number), output in zip(frames, outputs):
                self.current_time = float(time)
                shade = int(time) * 37
                write_png(output, width, height, (shade % 256, (shade // 3) % 256, 90))
                written.append(str(output))
                if failure is not None:
                    raise failure
        finally:
            self.current_time = saved_time
            self.playblasts.append(
                {
                    "camera": camera,
                    "panel": panel_name,
                    "files": written,
                    "size": (width, height),
                    "panel_state": {k: dict(p) for k, p in self.panels.items()},
                    "colour": dict(self.colour["outputs"]["playblast"]),
                    "ornaments": bool(v.get("showOrnaments", True)),
                }
            )

    def _active_model_panel(self) -> Optional[str]:
        if self.batch:
            return None
        if self.focus_panel and self.panels.get(self.focus_panel, {}).get("type") == "modelPanel":
            return self.focus_panel
        models = [n for n, p in self.panels.items() if p["type"] == "modelPanel"]
        return models[-1] if models else None

    def _playblast_frames(self, v: Dict[str, Any]) -> List[Tuple[float, int]]:
        if "frame" in v:
            times = v["frame"] if isinstance(v["frame"], (list, tuple)) else [v["frame"]]
            raw = bool(v.get("rawFrameNumbers"))
            return [(t, int(t) if raw else index) for index, t in enumerate(times)]
        start = float(v.get("startTime", self.playback["minTime"]))
        end = float(v.get("endTime", self.playback["maxTime"]))
        if end < start:
            raise RuntimeError(f"playblast: the end time {end} is before the start time {start}")
        times = range(round(start), round(end) + 1)
        if self.playblast_numbering == "from_zero":
            return [(t, index) for index, t in enumerate(times)]
        return [(t, int(t)) for t in times]

    def _playblast_size(self, v: Dict[str, Any]) -> Tuple[int, int]:
        width, height = v.get("widthHeight", (v.get("width", 0), v.get("height", 0)))
        if not width or not height:
            width, height = self.window_size
        if not v.get("offScreen") and not self.batch:
            # "clamped if larger than the width or height of the active window" (playblast docs);
            # offScreen renders through an off-screen buffer instead (host-apis.md §2.2)
            width, height = min(width, self.window_size[0]), min(height, self.window_size[1])
        percent = min(100, max(10, int(v.get("percent", 50))))
        return max(1, width * percent // 100), max(1, height * percent // 100)


state = FakeMaya()
