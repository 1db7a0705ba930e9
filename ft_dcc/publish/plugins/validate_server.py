"""Validate the ftrack credentials (tried by CollectFtrackConnection); unreachable means "queue"."""

import pyblish.api


class ValidateFtrackServer(pyblish.api.ContextPlugin):
    """Wrong or missing credentials stop the publish (CollectFtrackConnection tried them); an
    unreachable server is said once: the review is queued."""

    label = "ftrack server and credentials"
    order = pyblish.api.ValidatorOrder - 0.45

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.connection import connect
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        if state.connect_error is not None:
            raise state.connect_error
        connect(state)  # when a pyblish UI skipped the collector (reads only: the task)
        if state.offline:
            message = (
                f"{state.offline_reason or 'The ftrack server cannot be reached'}: the review "
                "will be encoded and kept in the offline queue, and published by "
                "'ft-dcc queue flush' when the server is back."
            )
            state.warnings.append(message)
            self.log.warning(message, extra=IN_REPORT)
        else:
            self.log.info("Connected to %s", getattr(state.session, "server_url", "ftrack"))
