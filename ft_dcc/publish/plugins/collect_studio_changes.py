"""Collect, last: what studio collectors changed in a review instance's data, read back."""

import pyblish.api


class CollectInstanceChanges(pyblish.api.InstancePlugin):
    """Read the instance.data contract (range, handles, fps, size, camera, asset) back into the
    capture, after every collector (a studio's too) and before any validator checks it. An
    instance a plugin turned off (``publish`` False) is not read: pyblish skips it."""

    label = "Reviewable settings"
    order = pyblish.api.CollectorOrder + 0.49
    targets = ["default", "queued"]  # decides a queued publish again too
    families = ["review", "still"]

    def process(self, instance):
        from ft_dcc.publish.shared.instance_data import apply_collected
        from ft_dcc.publish.shared.state import item_of

        apply_collected(item_of(instance), instance.data)
