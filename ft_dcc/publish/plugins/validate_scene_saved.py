"""Validate that the scene is saved, so the review can be traced back to a file."""

import pyblish.api


class SaveScene(pyblish.api.Action):
    """Repair: save the scene in place."""

    label = "Save scene"
    icon = "save"
    on = "failed"

    def process(self, context, plugin):
        from ft_dcc.publish.state import publish_of, record_saved_scene

        path = publish_of(context).host.save_scene()
        record_saved_scene(context, path)
        self.log.info("Saved %s", path)


class ValidateSceneSaved(pyblish.api.ContextPlugin):
    """The scene has a file and no unsaved changes (offer to save it when the host can ask)."""

    label = "Scene saved"
    order = pyblish.api.ValidatorOrder - 0.2
    actions = [SaveScene]

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.state import publish_of, record_saved_scene

        host = publish_of(context).host
        scene = host.scene_path()
        if scene is not None and not host.has_unsaved_changes():
            return
        what = "was never saved" if scene is None else "has unsaved changes"
        if scene is not None and host.ask(f"The scene {what}. Save it now and publish?", False):
            path = host.save_scene()
            record_saved_scene(context, path)
            self.log.info("Saved %s", path)
            return
        raise ValidationError(
            f"the scene {what}",
            hint="save the scene and publish again",
        )
