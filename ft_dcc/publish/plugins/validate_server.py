"""Validate the ftrack credentials (tried by CollectFtrackConnection); unreachable means "queue"."""

import pyblish.api


class ValidateFtrackServer(pyblish.api.ContextPlugin):
    """Wrong or missing credentials stop the publish (CollectFtrackConnection tried them); an
    unreachable server is said once: the review is queued."""

    label = "ftrack server and credentials"
    order = pyblish.api.ValidatorOrder - 0.45

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.exceptions import PublishError
        from ft_dcc.publish.shared.state import connection_of, warnings_of

        connection = connection_of(context.data)  # as CollectFtrackConnection decided it
        if not connection.decided:
            raise PublishError(
                "the ftrack connection was not collected",
                hint="turn the 'ftrack connection' collector back on",
            )
        if connection.error is not None:
            raise connection.error
        if connection.offline:
            message = (
                f"{connection.offline_reason or 'The ftrack server cannot be reached'}: the "
                "review will be encoded and kept in the offline queue, and published by "
                "'ft-dcc queue flush' when the server is back."
            )
            warnings_of(context.data).append(message)
            self.log.warning(message, extra=IN_REPORT)
        else:
            self.log.info("Connected to %s", getattr(connection.session, "server_url", "ftrack"))
