"""Every editable RNA setting a playblast could touch, for before/after comparisons."""

from typing import Any, Dict

import bpy


def _struct(struct: Any, prefix: str, out: Dict[str, Any]) -> None:
    for prop in struct.bl_rna.properties:
        if prop.identifier == "rna_type" or prop.is_readonly:
            continue
        if prop.type in ("POINTER", "COLLECTION"):
            continue
        try:
            value = getattr(struct, prop.identifier)
        except Exception as exc:  # some properties raise in background mode
            value = f"<{type(exc).__name__}>"
        out[f"{prefix}.{prop.identifier}"] = _plain(value)


def _plain(value: Any) -> Any:
    """Vectors and matrices as (nested) tuples, so they compare element by element."""
    if hasattr(value, "__len__") and not isinstance(value, str):
        return tuple(_plain(v) for v in value)
    return value


def _same(before: Any, after: Any) -> bool:
    """Equal, floats to 1e-5 (a 3D view's view_matrix is worked out again from the restored
    view when it draws: equal but for the float rounding)."""
    if isinstance(before, tuple) and isinstance(after, tuple):
        return len(before) == len(after) and all(map(_same, before, after))
    if isinstance(before, float) and isinstance(after, float):
        return abs(before - after) <= 1e-5
    return before == after


def snapshot(scene: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    _struct(scene, "scene", out)
    out["scene.camera"] = scene.camera.name if scene.camera else None
    out["scene.world"] = scene.world.name if scene.world else None
    _struct(scene.render, "render", out)
    _struct(scene.render.image_settings, "image_settings", out)
    _struct(scene.render.ffmpeg, "ffmpeg", out)
    _struct(scene.display, "display", out)
    _struct(scene.display.shading, "display.shading", out)
    for screen in bpy.data.screens:
        for index, area in enumerate(screen.areas):
            if area.type != "VIEW_3D":
                continue
            space = area.spaces.active
            name = f"{screen.name}[{index}]"
            _struct(space, name, out)
            _struct(space.shading, f"{name}.shading", out)
            _struct(space.overlay, f"{name}.overlay", out)
            _struct(space.region_3d, f"{name}.region_3d", out)
    return out


def differences(before: Dict[str, Any], after: Dict[str, Any]) -> list:
    keys = sorted(set(before) | set(after))
    return [
        f"{k}: {before.get(k)!r} -> {after.get(k)!r}"
        for k in keys
        if not _same(before.get(k), after.get(k))
    ]
