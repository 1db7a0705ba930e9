"""Validate that the scene is saved, so the review can be traced back to a file."""

import pyblish.api


class SaveScene(pyblish.api.Action):
    """Repair: save the scene in place."""

    label = "Save scene"
    icon = "save"
    on = "failed"

    def process(self, context, plugin):
        from ft_dcc.publish.shared.state import publish_of

        path = publish_of(context).host.save_scene()  # in place: the collected path holds
        self.log.info("Saved %s", path)


class ValidateSceneSaved(pyblish.api.ContextPlugin):
    """The scene has a file and no unsaved changes. It only looks: when the host can ask and
    the artist agrees to save, it asks for its repair (:class:`SaveScene`), which the pipeline
    runs before checking again."""

    label = "Scene saved"
    order = pyblish.api.ValidatorOrder - 0.2
    #: block, warn or off (the settings' checks.*): the pipeline applies it
    severity = "block"
    actions = [SaveScene]

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.pipeline.repair import ask_for_repair
        from ft_dcc.publish.shared.state import publish_of

        host = publish_of(context).host
        scene = host.scene_path()
        if scene is not None and not host.has_unsaved_changes():
            return
        what = "was never saved" if scene is None else "has unsaved changes"
        if scene is not None and host.ask(f"The scene {what}. Save it now and publish?", False):
            ask_for_repair(context, type(self))
        raise ValidationError(
            f"the scene {what}",
            hint="save the scene and publish again",
        )
