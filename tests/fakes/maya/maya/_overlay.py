"""The fake's image planes and keyed visibility: what ``hosts/maya/overlay.py`` uses to lay a
reviewer's drawing over a camera on its frames only.

Modelled on Maya 2025: ``imagePlane(camera=, fileName=, name=)`` creates a transform and an
``imagePlane`` shape under it and returns ``[transform, shape]`` (as pipelines unpack it, e.g.
AYON's ImagePlaneLoader); a camera that does not exist fails the creation (the command docs:
"If the given camera is invalid, creating will fail"); a file that does not exist is accepted
(Maya warns and shows nothing). ``setKeyframe(node, attribute=, time=, value=)`` keys an
attribute; ``delete(node)`` removes the node and its keys. :meth:`visible_at` evaluates a
node's keyed visibility with stepped (``outTangentType="step"``) or held keys.
"""

from __future__ import annotations

import bisect
from typing import Any, Dict, List, Tuple


class ImagePlanes:
    """Mixed into ``FakeMaya``: image plane nodes and their keys."""

    image_planes: Dict[str, Dict[str, Any]]  # transform -> {shape, camera, fileName}
    keys: Dict[str, List[Tuple[float, float]]]  # "node.attribute" -> sorted (time, value)

    def reset_image_planes(self) -> None:
        self.image_planes = {}
        self.keys = {}

    def cmd_imagePlane(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if mode != "create" or args:
            return self._unmodelled("imagePlane", mode, v)  # type: ignore[attr-defined]
        camera = v.get("camera")
        if camera is not None:
            self._camera_transform(str(camera))  # type: ignore[attr-defined]  # raises if none
        name = v.get("name") or self._name("imagePlane")  # type: ignore[attr-defined]
        if name in self.image_planes:
            name = self._name(name)  # type: ignore[attr-defined]  # Maya makes names unique
        shape = f"{name}Shape"
        self.image_planes[name] = {
            "shape": shape,
            "camera": camera or "",
            "fileName": v.get("fileName", ""),
        }
        return [name, shape]

    def cmd_setKeyframe(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if len(args) != 1 or "time" not in v or "value" not in v or not v.get("attribute"):
            return self._unmodelled("setKeyframe", mode, v)  # type: ignore[attr-defined]
        node = str(args[0])
        if node not in self.image_planes:
            raise ValueError(f"No object matches name: {node}")
        attribute = v["attribute"]
        attribute = attribute[0] if isinstance(attribute, (list, tuple)) else attribute
        if attribute not in ("visibility", "v"):
            return self._unmodelled("setKeyframe", mode, v)  # type: ignore[attr-defined]
        times = v["time"] if isinstance(v["time"], (list, tuple)) else [v["time"]]
        curve = self.keys.setdefault(f"{node}.visibility", [])
        for time in map(float, times):
            curve[:] = [k for k in curve if k[0] != time] + [(time, float(v["value"]))]
        curve.sort()
        return len(times)

    def cmd_delete(self, mode: str, args: tuple, v: Dict[str, Any]) -> Any:
        if not args or v:
            return self._unmodelled("delete", mode, v)  # type: ignore[attr-defined]
        for node in args:
            if str(node) not in self.image_planes:
                raise ValueError(f"No object matches name: {node}")
        for node in args:
            del self.image_planes[str(node)]
            self.keys.pop(f"{node}.visibility", None)
        return None

    def visible_at(self, node: str, frame: float) -> bool:
        """Whether image plane ``node`` is drawn at ``frame`` (keys held between them: step)."""
        if node not in self.image_planes:
            return False
        curve = self.keys.get(f"{node}.visibility")
        if not curve:
            return True
        index = bisect.bisect_right([t for t, _ in curve], float(frame)) - 1
        return bool(curve[max(index, 0)][1])
