"""The look the artist sees, headless too: the shading of the 3D view saved in the file, applied
to a Workbench render, so a background playblast looks like the artist's viewport playblast.

Source: the largest 3D view of the file's window (the scene must be opened with its UI,
``load_ui=True``), else the scene's own Workbench settings (``scene.display.shading``). The
viewport's background (its custom colour, the theme's, or the world's) becomes the world colour
of the render for its duration. Measured in Blender 3.4: a Workbench render set up this way and
the viewport playblast (``render.opengl``) of one file differ by 0.15 of 255 per pixel on
average (both go through the scene's view transform).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Mapping, Optional, Tuple

import bpy

from ft_dcc.protocol.json_value import JsonObject

from .scene_setup import SettingsOverride
from .untyped import Scene, Shading, SpaceView3D

log = logging.getLogger(__name__)

#: viewport shading options a Workbench render copies from the artist's 3D view, in an order
#: that sets each option before those whose choices depend on it (light before studio_light)
SHADING_OPTIONS = (
    "light",
    "studio_light",
    "use_world_space_lighting",
    "color_type",
    "single_color",
    "show_shadows",
    "shadow_intensity",
    "show_cavity",
    "cavity_type",
    "cavity_ridge_factor",
    "cavity_valley_factor",
    "curvature_ridge_factor",
    "curvature_valley_factor",
    "show_object_outline",
    "object_outline_color",
    "show_specular_highlight",
    "show_xray",
    "xray_alpha",
    "show_backface_culling",
    "use_dof",
)

#: the viewport shading types a Workbench render can draw (Material Preview and Rendered
#: need EEVEE/Cycles: they are drawn as Solid, and the record says so)
WORKBENCH_TYPES = ("SOLID", "WIREFRAME")

#: ``capture.shading`` as a Workbench render's shading (type, colour) and as a 3D view's type
SETTINGS_WORKBENCH = {"wireframe": ("WIREFRAME", None), "solid": ("SOLID", None),
                      "material": ("SOLID", "MATERIAL")}  # fmt: skip
SETTINGS_VIEWPORT = {"wireframe": "WIREFRAME", "solid": "SOLID", "material": "MATERIAL"}

#: the name of the world made for the capture when the scene has none
TEMPORARY_WORLD = "ft_dcc playblast background"


def view3d_shading() -> Optional[Shading]:
    """The shading of the largest 3D view in the file's window(s), or None when there is none."""
    wm = bpy.context.window_manager
    for window in wm.windows if wm else []:
        areas = [a for a in window.screen.areas if a.type == "VIEW_3D"]
        if areas:
            return max(areas, key=lambda a: a.width * a.height).spaces.active.shading
    return None


def srgb_to_linear(value: float) -> float:
    """One sRGB-encoded channel (theme colours) as scene-linear (world colours)."""
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def theme_background() -> Tuple[float, float, float]:
    """This Blender's theme background of the 3D view, scene-linear (the middle of a gradient)."""
    gradients = bpy.context.preferences.themes[0].view_3d.space.gradients
    colours = [tuple(gradients.high_gradient)]
    if getattr(gradients, "background_type", "SINGLE_COLOR") != "SINGLE_COLOR":
        colours.append(tuple(gradients.gradient))
    mean = [sum(channel) / len(colours) for channel in zip(*colours)]
    red, green, blue = (srgb_to_linear(c) for c in mean)
    return red, green, blue


def background_colour(shading: Shading, scene: Scene) -> Optional[Tuple[float, float, float]]:
    """The scene-linear background the 3D view shows, or None when it is the world's own."""
    kind = getattr(shading, "background_type", "WORLD")
    if kind == "VIEWPORT":
        red, green, blue = tuple(shading.background_color)[:3]
        return red, green, blue
    if kind == "THEME":
        return theme_background()
    if scene.world is None:
        return (0.0, 0.0, 0.0)
    return None


def _plain(value: Any) -> Any:
    if hasattr(value, "__len__") and not isinstance(value, str):
        return [round(float(v), 4) for v in value]
    return round(value, 4) if isinstance(value, float) else value


def record(scene: Scene) -> JsonObject:
    """The shading a background capture of ``scene`` uses, for the capture metadata."""
    shading = view3d_shading()
    source = "3d-view" if shading is not None else "scene"
    shading = shading if shading is not None else scene.display.shading
    data: JsonObject = {"source": source, "type": shading.type}
    for name in SHADING_OPTIONS:
        if hasattr(shading, name):
            data[name] = _plain(getattr(shading, name))
    data["background_type"] = getattr(shading, "background_type", "WORLD")
    background = background_colour(shading, scene) if source == "3d-view" else None
    world = scene.world
    if background is None and world is not None:
        background = tuple(world.color)
    data["background_color"] = _plain(background or (0.0, 0.0, 0.0))
    if shading.type not in WORKBENCH_TYPES:
        data["drawn_as"] = "SOLID"
    data["overlays"] = False
    return data


def apply(override: SettingsOverride, scene: Scene) -> None:
    """Set ``scene``'s Workbench render up as the artist's 3D view through ``override`` (a
    ``scene_setup.SettingsOverride``, which puts it all back and removes a world made for it)."""
    source = view3d_shading()
    if source is None:
        return  # no 3D view: the scene's own Workbench settings, as they are
    target = scene.display.shading
    override.set(target, "type", source.type if source.type in WORKBENCH_TYPES else "SOLID")
    for name in SHADING_OPTIONS:
        if not hasattr(source, name):
            continue
        try:
            override.set(target, name, getattr(source, name))
        except (TypeError, ValueError, AttributeError) as exc:
            log.debug("shading option %s not copied: %s", name, exc)
    colour = background_colour(source, scene)
    if colour is None:
        return
    if scene.world is None:
        world = bpy.data.worlds.new(TEMPORARY_WORLD)
        override.set(scene, "world", world)
        override.after_restore(functools.partial(bpy.data.worlds.remove, world))
    override.set(scene.world, "color", colour)


def apply_setting(override: SettingsOverride, scene: Scene, shading: str) -> None:
    """``capture.shading`` on a Workbench render (after :func:`apply`): wireframe, solid, or
    solid coloured by material (Material Preview needs EEVEE); "scene" keeps the artist's."""
    if shading not in SETTINGS_WORKBENCH:
        return
    kind, colour = SETTINGS_WORKBENCH[shading]
    override.set(scene.display.shading, "type", kind)
    if colour is not None:
        override.set(scene.display.shading, "color_type", colour)


def set_viewport(space: SpaceView3D, viewport: Mapping[str, object]) -> None:
    """``capture.shading/overlays/hud`` on the 3D view of an interactive playblast (the caller
    saved the view and puts it back). Blender draws its HUD (the text info) as an overlay: with
    ``hud`` on and ``overlays`` off, only the text info is left on."""
    if viewport["shading"] in SETTINGS_VIEWPORT:
        space.shading.type = SETTINGS_VIEWPORT[viewport["shading"]]
    overlay = space.overlay
    overlay.show_overlays = bool(viewport["overlays"] or viewport["hud"])
    overlay.show_text = bool(viewport["hud"])
    overlay.show_stats = bool(viewport["hud"])
    if viewport["hud"] and not viewport["overlays"]:
        for name in HUD_ONLY_OFF:
            if hasattr(overlay, name):
                setattr(overlay, name, False)


#: the overlays hidden when only the HUD is asked for (Blender 3.4 View3DOverlay)
HUD_ONLY_OFF = ("show_floor", "show_axis_x", "show_axis_y", "show_axis_z", "show_cursor",
                "show_extras", "show_bones", "show_object_origins", "show_outline_selected",
                "show_relationship_lines", "show_motion_paths", "show_annotation")  # fmt: skip
