"""Every editable RNA setting a playblast could touch, for before/after comparisons."""

from typing import Any, Dict

import bpy


def _struct(struct: Any, prefix: str, out: Dict[str, str]) -> None:
    for prop in struct.bl_rna.properties:
        if prop.identifier == "rna_type" or prop.is_readonly:
            continue
        if prop.type in ("POINTER", "COLLECTION"):
            continue
        try:
            value = getattr(struct, prop.identifier)
        except Exception as exc:  # some properties raise in background mode
            value = f"<{type(exc).__name__}>"
        if hasattr(value, "__len__") and not isinstance(value, str):
            value = tuple(round(v, 5) if isinstance(v, float) else v for v in value)
        elif isinstance(value, float):
            value = round(value, 5)
        out[f"{prefix}.{prop.identifier}"] = repr(value)


def snapshot(scene: Any) -> Dict[str, str]:
    out: Dict[str, str] = {}
    _struct(scene, "scene", out)
    out["scene.camera"] = repr(scene.camera.name if scene.camera else None)
    out["scene.world"] = repr(scene.world.name if scene.world else None)
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


def differences(before: Dict[str, str], after: Dict[str, str]) -> list:
    keys = sorted(set(before) | set(after))
    return [
        f"{k}: {before.get(k)} -> {after.get(k)}" for k in keys if before.get(k) != after.get(k)
    ]
