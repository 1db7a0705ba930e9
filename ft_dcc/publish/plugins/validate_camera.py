"""Validate that there is a camera to capture through, and that it exists in the scene."""

import pyblish.api


class ValidateCamera(pyblish.api.InstancePlugin):
    """The chosen camera is one of the scene's cameras; a scene without any camera is refused
    unless its host never uses cameras (``Host.uses_cameras``: files, Nuke)."""

    label = "Camera exists"
    order = pyblish.api.ValidatorOrder
    families = ["review", "still"]

    def process(self, instance):
        from ft_dcc.publish.rules.checks import check_camera
        from ft_dcc.publish.shared.state import item_of

        item = item_of(instance)
        camera = check_camera(item.host, item.spec.camera if item.spec else None)
        if camera is not None:
            self.log.info("Camera %s", camera)
