"""Validate that the camera to capture through exists in the scene."""

import pyblish.api


class ValidateCamera(pyblish.api.ContextPlugin):
    """The chosen camera is one of the scene's cameras (hosts without cameras skip this)."""

    label = "Camera exists"
    order = pyblish.api.ValidatorOrder

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        cameras = state.host.cameras()
        if not cameras:
            return
        camera = state.spec.camera
        if camera is None:
            raise ValidationError(
                "no camera is set to capture through",
                hint=f"set the scene camera or choose one of: {', '.join(cameras)}",
            )
        if camera not in cameras:
            raise ValidationError(
                f"the camera {camera!r} is not in the scene",
                hint=f"choose one of: {', '.join(cameras)}",
            )
        self.log.info("Camera %s", camera)
