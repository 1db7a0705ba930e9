"""Collect the scene file and who publishes."""

import getpass
import os

import pyblish.api


class CollectScene(pyblish.api.ContextPlugin):
    """Record the host's scene path and the publishing user."""

    label = "Scene"
    order = pyblish.api.CollectorOrder - 0.2

    def process(self, context):
        from ft_dcc.protocol import ENV_API_USER
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        state.scene = state.host.scene_path()
        state.user = os.environ.get(ENV_API_USER) or getpass.getuser()
        context.data["currentFile"] = str(state.scene) if state.scene else ""
        self.log.info("Scene: %s", state.scene or "(never saved)")
