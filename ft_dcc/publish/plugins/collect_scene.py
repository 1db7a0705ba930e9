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
        from ft_dcc.publish.shared.state import SCENE_KEY, USER_KEY, publish_of

        scene = publish_of(context).host.scene_path()
        context.data[USER_KEY] = os.environ.get(ENV_API_USER) or getpass.getuser()
        context.data[SCENE_KEY] = str(scene) if scene else ""
        self.log.info("Scene: %s", scene or "(never saved)")
