"""Validate the frame range and fps: sane, and matching the shot's ftrack attributes."""

import pyblish.api


class ValidateFrameRange(pyblish.api.InstancePlugin):
    """Start <= end; the range (and fps) match the shot's fstart/fend (fps) when it has them.
    It only looks: the range and rate were decided by the collectors (``CollectShotFrames``).

    Every finding is reported at once: refused, one error names them all; with the settings'
    ``checks.frame_range: warn``, the pipeline keeps each as its own warning."""

    label = "Frame range and fps"
    order = pyblish.api.ValidatorOrder - 0.1
    targets = ["default", "queued"]  # decides a queued publish again too
    #: block, warn or off (the settings' checks.*): the pipeline applies it
    severity = "block"
    families = ["review"]

    def process(self, instance):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.rules.checks import check_frames, joined
        from ft_dcc.publish.shared.state import ReviewScope

        scope = ReviewScope.of(instance)
        warnings, problems = check_frames(scope)
        warnings = scope.item.frame_notes + warnings
        if problems:  # the settings' severity is the pipeline's to apply
            raise joined(problems, notes=warnings)
        for warning in warnings:
            scope.warn(warning)
            self.log.warning(warning, extra=IN_REPORT)
