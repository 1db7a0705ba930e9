"""Validate that there is a camera to capture through, and that it exists in the scene."""

import pyblish.api


class ValidateCamera(pyblish.api.ContextPlugin):
    """The chosen camera is one of the scene's cameras; a scene without any camera is refused
    unless its host never uses cameras (``Host.uses_cameras``: files, Nuke)."""

    label = "Camera exists"
    order = pyblish.api.ValidatorOrder

    def process(self, context):
        from ft_dcc.publish.checks import check_camera
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        camera = check_camera(state.host, state.spec.camera if state.spec else None)
        if camera is not None:
            self.log.info("Camera %s", camera)
