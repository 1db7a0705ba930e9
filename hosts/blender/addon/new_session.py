"""Ask before creating a review session whose name is a few typos away from an open one.

A publish refuses such a name (``ReviewSessionMisspeltError``); in a window the publish operator
then opens this dialog, and "OK" publishes again with ``new_review_session``. "Publish on the
farm" (farm_op.py) opens it too, with the question in ``farm_question``: "OK" writes the farm job
with ``new_review_session`` (its publish step creates the session).
"""

from __future__ import annotations

import textwrap

import bpy


class FTDCC_OT_confirm_new_session(bpy.types.Operator):
    """Publish into a new review session although its name is close to an open one's"""

    bl_idname = "ftdcc.confirm_new_session"
    bl_label = "Create a new review session?"

    name: bpy.props.StringProperty(options={"HIDDEN", "SKIP_SAVE"})  # type: ignore[valid-type]
    #: set by "Publish on the farm": its refusal as a question; "OK" writes the farm job
    farm_question: bpy.props.StringProperty(options={"HIDDEN", "SKIP_SAVE"})  # type: ignore[valid-type]

    def invoke(self, context, event):
        return context.window_manager.invoke_props_dialog(self, width=520)

    def draw(self, context):
        said = self.farm_question or context.window_manager.ftdcc_status
        lines = [line for part in said.splitlines() for line in textwrap.wrap(part, 80)]
        for line in lines[:5]:
            self.layout.label(text=line)
        what = "write the farm job, publishing" if self.farm_question else "publish"
        self.layout.label(text=f"OK: {what} into a new session called '{self.name}'.", icon="ADD")

    def execute(self, context):
        if self.farm_question:
            try:
                return bpy.ops.ftdcc.publish_on_farm(new_review_session=True)
            except RuntimeError as exc:  # its error report, raised to a Python caller
                self.report({"ERROR"}, str(exc))
                return {"CANCELLED"}
        return bpy.ops.ftdcc.publish("INVOKE_DEFAULT", new_review_session=True)


def session_to_offer(context, report):
    """The probably misspelt session ``report`` refused, which the dialog asks about (in a
    window only), or None."""
    from ft_dcc.review.names import misspelt_session_of

    if bpy.app.background or context.window is None:
        return None
    return misspelt_session_of(report)


def offer_new_session(name: str) -> None:
    """Ask whether to publish into a new session called ``name`` (:func:`session_to_offer`)."""
    bpy.ops.ftdcc.confirm_new_session("INVOKE_DEFAULT", name=name)


def offer_farm_new_session(context, name: str, question: str) -> bool:
    """Ask ``question`` (a farm submission refused ``name`` as probably misspelt) in the dialog,
    whose "OK" writes the job with ``new_review_session`` (in a window only)."""
    if bpy.app.background or context.window is None:
        return False
    bpy.ops.ftdcc.confirm_new_session("INVOKE_DEFAULT", name=name, farm_question=question)
    return True


def register():
    bpy.utils.register_class(FTDCC_OT_confirm_new_session)


def unregister():
    bpy.utils.unregister_class(FTDCC_OT_confirm_new_session)
