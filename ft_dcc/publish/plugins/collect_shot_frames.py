"""Collect the range and rate a review captures where the shot in ftrack decides them."""

import pyblish.api


class CollectShotFrames(pyblish.api.InstancePlugin):
    """The capture's range and rate from the shot, where the scene or input leaves them to it:
    an input with no rate of its own plays at the shot's fps, a movie of the shot's length
    takes its numbering, and with the settings' ``capture.frame_range: shot`` the shot's range
    (with the handles) is captured. After every collector (a studio's changes are read back
    first); ``ValidateFrameRange`` then only checks, and says what could not be followed."""

    label = "Shot's range and rate"
    order = pyblish.api.CollectorOrder + 0.495
    targets = ["default", "queued"]  # decides a queued publish again too
    families = ["review"]

    def process(self, instance):
        from ft_dcc.publish.rules.checks import decide_frames
        from ft_dcc.publish.shared.state import ReviewScope

        scope = ReviewScope.of(instance)
        if scope.item.spec is None:  # the capture settings were not collected (that step said why)
            return
        scope.item.spec, scope.item.frame_notes = decide_frames(scope)
        spec = scope.item.spec
        self.log.info("Capture %s-%s at %s fps", spec.frame_start, spec.frame_end, spec.fps)
