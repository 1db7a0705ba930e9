"""Collect, last: what studio collectors changed in a review instance's data, read back."""

import pyblish.api


class CollectInstanceChanges(pyblish.api.ContextPlugin):
    """Read the instance.data contract (range, handles, fps, size, camera, asset) back into the
    capture, after every collector (a studio's too) and before any validator checks it."""

    label = "Reviewable settings"
    order = pyblish.api.CollectorOrder + 0.49

    def process(self, context):
        from ft_dcc.publish.instance_data import apply_collected, publishes
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        if not state.instance_data or state.spec is None:
            return  # the capture settings were not collected (that step said why)
        apply_collected(state, state.instance_data)
        if not publishes(state.instance_data):
            self.log.info("Not published: a plugin set publish to False")
