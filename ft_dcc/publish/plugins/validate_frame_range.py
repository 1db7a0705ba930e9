"""Validate the frame range and fps: sane, and matching the shot's ftrack attributes."""

import pyblish.api


class ValidateFrameRange(pyblish.api.ContextPlugin):
    """Start <= end; the range (and fps) match the shot's fstart/fend (fps) when it has them."""

    label = "Frame range and fps"
    order = pyblish.api.ValidatorOrder - 0.1

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.checks import check_frame_range
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        for warning in check_frame_range(state):
            state.warnings.append(warning)
            self.log.warning(warning, extra=IN_REPORT)
