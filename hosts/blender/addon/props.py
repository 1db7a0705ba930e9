"""The add-on's settings: per-scene publish options and the connection preferences."""

from __future__ import annotations

import bpy

from . import connection, paths

_session_items: list = []  # Blender needs Python to keep enum item strings alive


def session_items(self, context):
    _session_items[:] = [("__none__", "Open review sessions", "")] + [
        (name, name, f"Publish into {name}") for name in connection.STATE["sessions"]
    ]
    return _session_items


def _pick_session(self, context):
    if self.review_session_pick != "__none__":
        self.review_session = self.review_session_pick


def _only_cameras(self, obj):
    return obj.type == "CAMERA"


class FTDCC_OpenNote(bpy.types.PropertyGroup):
    """One open to-do of the task in the "Addresses" box (``open_notes.py``)."""

    note_id: bpy.props.StringProperty(name="Note id")
    heading: bpy.props.StringProperty(name="Note", description="Version, frame and author")
    text: bpy.props.StringProperty(name="Text")
    addressed: bpy.props.BoolProperty(
        name="Addressed",
        description="This version addresses the note: the publish completes it and replies "
        "naming the new version",
    )


class FTDCC_PublishSettings(bpy.types.PropertyGroup):
    task: bpy.props.StringProperty(
        name="Task",
        description="Task id or path Project/Sequence/Shot/Task (empty: FTRACK_CONTEXTID)",
    )
    review_session: bpy.props.StringProperty(
        name="Review session",
        description="Review session to add the version to "
        "(empty: the name the studio settings give, naming.review_session)",
    )
    review_session_pick: bpy.props.EnumProperty(
        name="Open review sessions",
        description="Choose one of the server's open review sessions",
        items=session_items,
        update=_pick_session,
    )
    comment: bpy.props.StringProperty(name="Comment", description="Note for the reviewers")
    save_first: bpy.props.BoolProperty(
        name="Save scene first",
        description="Save the .blend before publishing, so the review matches the saved file",
        default=True,
    )
    use_scene_range: bpy.props.BoolProperty(
        name="Scene frame range", description="Publish the scene's frame range", default=True
    )
    frame_start: bpy.props.IntProperty(name="Start", default=1)
    frame_end: bpy.props.IntProperty(name="End", default=250)
    camera: bpy.props.PointerProperty(
        name="Camera",
        type=bpy.types.Object,
        poll=_only_cameras,
        description="Camera to playblast from (empty: the scene camera)",
    )
    #: the task's open to-dos, ticked when this version addresses them (``open_notes.py``)
    open_notes: bpy.props.CollectionProperty(type=FTDCC_OpenNote)
    #: the Task field's text when they were read (another task's are not sent)
    open_notes_task: bpy.props.StringProperty(name="Open notes of", options={"HIDDEN"})


class FTDCC_Preferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    ft_dcc_path: bpy.props.StringProperty(
        name="ft_dcc path",
        description="Folder(s) holding ft_dcc and its dependencies, e.g. a site-packages",
        subtype="DIR_PATH",
    )
    server_url: bpy.props.StringProperty(name="Server", description="Empty: FTRACK_SERVER")
    api_user: bpy.props.StringProperty(name="API user", description="Empty: FTRACK_API_USER")
    api_key: bpy.props.StringProperty(
        name="API key", description="Empty: FTRACK_API_KEY", subtype="PASSWORD"
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "ft_dcc_path")
        layout.label(text="Connection (leave empty to use the FTRACK_* environment variables):")
        layout.prop(self, "server_url")
        layout.prop(self, "api_user")
        layout.prop(self, "api_key")


def preferences(context):
    """This add-on's preferences, or None when it is registered without being an add-on."""
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon is not None else None


def ft_dcc_ready(context) -> bool:
    """Whether ft_dcc imports, from the add-on's 'ft_dcc path' preference when it is set."""
    prefs = preferences(context)
    return paths.ensure_ft_dcc(prefs.ft_dcc_path if prefs else "")


def connection_settings(context) -> dict:
    prefs = preferences(context)
    if prefs is None:
        return {}
    return {"server_url": prefs.server_url, "api_user": prefs.api_user, "api_key": prefs.api_key}


WINDOW_MANAGER_PROPERTIES = {
    "ftdcc_status": bpy.props.StringProperty(name="Last publish"),
    "ftdcc_headline": bpy.props.StringProperty(name="Outcome in a few words"),
    # published / queued / failed / cancelled
    "ftdcc_outcome": bpy.props.StringProperty(name="Outcome"),
    "ftdcc_review_url": bpy.props.StringProperty(name="Review link"),
    "ftdcc_report": bpy.props.StringProperty(name="Report JSON"),
    # the repairs the last publish's failed checks offer, JSON [{label, check, message}]: the
    # panel shows each check's message and a "Repair and publish" button
    "ftdcc_repairs": bpy.props.StringProperty(name="Repairs offered"),
    "ftdcc_busy": bpy.props.BoolProperty(name="Publishing"),
    "ftdcc_progress": bpy.props.StringProperty(name="Progress"),  # "Capturing frame 12/48"
    "ftdcc_fraction": bpy.props.FloatProperty(
        name="Progress", subtype="PERCENTAGE", min=0.0, max=100.0, precision=0
    ),
    "ftdcc_cancelling": bpy.props.BoolProperty(name="Cancelling"),
    "ftdcc_can_cancel": bpy.props.BoolProperty(name="Esc cancels (before the upload)"),
}

CLASSES = (FTDCC_OpenNote, FTDCC_PublishSettings, FTDCC_Preferences)


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.ftrack_publish = bpy.props.PointerProperty(type=FTDCC_PublishSettings)
    for name, prop in WINDOW_MANAGER_PROPERTIES.items():
        setattr(bpy.types.WindowManager, name, prop)


def unregister():
    for name in WINDOW_MANAGER_PROPERTIES:
        delattr(bpy.types.WindowManager, name)
    del bpy.types.Scene.ftrack_publish
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
