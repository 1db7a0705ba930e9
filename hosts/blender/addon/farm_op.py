"""The sidebar's "Publish on the farm": write a farm job bundle for the saved scene, with the
panel's task, review session, comment, camera and range, through the same
``ft_dcc.farm.submit.submit`` as ``ft-dcc farm submit`` (docs/farm.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import bpy

from . import props
from .new_session import offer_farm_new_session

if TYPE_CHECKING:  # pragma: no cover - ft_dcc is imported once the add-on finds it
    from ft_dcc_hosts.blender.untyped import Context

    from ft_dcc.farm.plan import Submission


def submission(context: Context, new_review_session: bool = False) -> Submission:
    """The panel's choices as what ``ft-dcc farm submit`` is asked (ft_dcc importable);
    ``new_review_session``: the artist confirmed a name close to an open session's."""
    from ft_dcc.farm.plan import Submission

    settings = context.scene.ftrack_publish
    return Submission(
        scenes=[bpy.data.filepath],
        host="blender",
        task=settings.task.strip() or None,
        review_session_name=settings.review_session.strip() or None,
        new_review_session=new_review_session,
        comment=settings.comment,
        camera=settings.camera.name if settings.camera else None,
        frames=None if settings.use_scene_range else (settings.frame_start, settings.frame_end),
    )



class FTDCC_OT_publish_on_farm(bpy.types.Operator):
    """Write a job bundle that publishes this scene on the render farm (capture parts in
    parallel, then one publish); its folder is shown when written"""

    bl_idname = "ftdcc.publish_on_farm"
    bl_label = "Publish on the farm"

    #: create the review session even when its name is close to an open one's: the artist said
    #: so in the dialog a refusal opens (new_session.py)
    new_review_session: bpy.props.BoolProperty(options={"HIDDEN", "SKIP_SAVE"})  # type: ignore[valid-type]

    @classmethod
    def poll(cls, context):
        return context.scene is not None and bool(bpy.data.filepath)

    def execute(self, context):
        if not props.ft_dcc_ready(context):
            self.report({"ERROR"}, "ft_dcc is not importable: set the add-on's 'ft_dcc path'")
            return {"CANCELLED"}
        from ft_dcc.exceptions import FtDccError, ReviewSessionMisspeltError
        from ft_dcc.farm.submit import submit

        if context.scene.ftrack_publish.save_first and bpy.data.is_dirty:
            bpy.ops.wm.save_mainfile(filepath=bpy.data.filepath)
        try:
            folder, batch = submit(submission(context, self.new_review_session))
        except ReviewSessionMisspeltError as exc:
            asked = offer_farm_new_session(context, exc.name, exc.question())
            self.report({"WARNING" if asked else "ERROR"}, str(exc))
            return {"CANCELLED"}
        except FtDccError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        context.window_manager.ftdcc_farm_bundle = str(folder)
        self.report({"INFO"}, f"Farm job bundle written ({batch.review_session_name}): {folder}")
        return {"FINISHED"}


def register():
    bpy.types.WindowManager.ftdcc_farm_bundle = bpy.props.StringProperty()
    bpy.utils.register_class(FTDCC_OT_publish_on_farm)


def unregister():
    bpy.utils.unregister_class(FTDCC_OT_publish_on_farm)
    del bpy.types.WindowManager.ftdcc_farm_bundle
