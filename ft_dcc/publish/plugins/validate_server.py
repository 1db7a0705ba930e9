"""Validate the ftrack credentials and reach the server; an unreachable server means "queue"."""

import pyblish.api


class ValidateFtrackServer(pyblish.api.ContextPlugin):
    """Open the ftrack session; wrong or missing credentials stop the publish."""

    label = "ftrack server and credentials"
    order = pyblish.api.ValidatorOrder - 0.45

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.connection import connect
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        connect(state)
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
