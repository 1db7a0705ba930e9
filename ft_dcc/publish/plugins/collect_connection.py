"""Collect the ftrack connection: open the session (or decide "queue offline"), then publish
the work queued before this publish, so that the validators only look."""

import pyblish.api


class CollectFtrackConnection(pyblish.api.ContextPlugin):
    """Open the ftrack session and read the task; refused credentials are kept for
    ValidateFtrackServer to say, an unreachable server means "queue"."""

    label = "ftrack connection"
    order = pyblish.api.CollectorOrder + 0.4
    targets = ["default", "queued"]  # decides a queued publish again too

    def process(self, context):
        from ft_dcc.publish.offline.connection import connect
        from ft_dcc.publish.shared.state import CONNECTION_KEY

        connection = context.data[CONNECTION_KEY] = connect(context.data)
        if connection.online:
            self.log.info("Connected to %s", getattr(connection.session, "server_url", "ftrack"))


class CollectQueuedWorkFirst(pyblish.api.ContextPlugin):
    """Publish this machine's queued work for the server before this publish reads anything
    for its own version (the queue keeps the artist's order: ft_dcc.publish.offline.backlog)."""

    label = "Queued work first"
    order = pyblish.api.CollectorOrder + 0.45

    def process(self, context):
        from ft_dcc.publish.offline.backlog import publish_backlog
        from ft_dcc.publish.shared.state import connection_of, item_of, publishing

        if connection_of(context.data).online:
            publish_backlog(
                context.data, [item_of(each).asset_name for each in publishing(context)]
            )
