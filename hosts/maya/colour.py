"""The review follows the scene's colour management (``cmds.colorManagementPrefs``).

Maya bakes an *output transform* into playblast images only when "Apply Output Transform to
Playblast" is on (the ``playblast`` output target of ``colorManagementPrefs``; the
colorManagementGlobals node keeps ``playblastOutputTransformEnabled`` /
``playblastOutputUseViewTransform`` / ``playblastOutputTransformName``). For the reviewer to see
what the artist sees in Viewport 2.0, a colour-managed scene is playblasted with that output
transform on, set to the view transform, unless the artist chose a playblast output transform
of their own (then theirs is used). Everything changed is put back after the capture, and the
config, rendering space, display/view and the playblast's transform are recorded.
"""

from __future__ import annotations

from typing import Callable

from maya import cmds

from ft_dcc.protocol.json_value import JsonObject, JsonValue

PLAYBLAST = "playblast"
SCENE_FLAGS = {  # recorded key -> colorManagementPrefs query flag
    "config_file_enabled": "cmConfigFileEnabled",
    "config": "configFilePath",
    "rendering_space": "renderingSpaceName",
    "view_transform": "viewTransformName",
    "display": "displayName",
    "view": "viewName",
}


def _playblast_output() -> JsonObject:
    def query(flag: str) -> JsonValue:
        return cmds.colorManagementPrefs(q=True, outputTarget=PLAYBLAST, **{flag: True})

    return {
        "enabled": bool(query("outputTransformEnabled")),
        "use_view_transform": bool(query("outputUseViewTransform")),
        "name": query("outputTransformName"),
    }


def planned(current: JsonObject) -> JsonObject:
    """The playblast output transform the capture applies, given the scene's ``current`` one."""
    if current["enabled"]:
        return dict(current)  # the artist's own choice
    return dict(current, enabled=True, use_view_transform=True)


def colour_settings() -> JsonObject:
    """The scene's colour management and the playblast transform the capture will apply."""
    if not cmds.colorManagementPrefs(q=True, cmEnabled=True):
        return {"enabled": False}
    data: JsonObject = {"enabled": True}
    for key, flag in SCENE_FLAGS.items():
        data[key] = cmds.colorManagementPrefs(q=True, **{flag: True})
    if not data["config_file_enabled"]:
        data["config"] = "(Maya's built-in default config)"
    data["playblast_output"] = planned(_playblast_output())
    return data


def follow_view_transform(undo: Callable[[Callable[[], object]], None]) -> JsonObject:
    """Turn the playblast output transform on (as the view transform) when it is off; register
    how to put it back with ``undo``. Returns the transform the playblast uses."""
    if not cmds.colorManagementPrefs(q=True, cmEnabled=True):
        return {"enabled": False}
    before = _playblast_output()
    if before["enabled"]:
        return before
    if not before["use_view_transform"]:
        name = before["name"]
        undo(lambda: cmds.colorManagementPrefs(e=True, outputTarget=PLAYBLAST,
                                               outputTransformName=name))  # fmt: skip
        cmds.colorManagementPrefs(e=True, outputTarget=PLAYBLAST, outputUseViewTransform=True)
    undo(lambda: cmds.colorManagementPrefs(e=True, outputTarget=PLAYBLAST,
                                           outputTransformEnabled=False))  # fmt: skip
    cmds.colorManagementPrefs(e=True, outputTarget=PLAYBLAST, outputTransformEnabled=True)
    return planned(before)
