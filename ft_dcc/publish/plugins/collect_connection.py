"""Collect the ftrack connection: open the session (or decide "queue offline"), then publish
the work queued before this publish, so that the validators only look."""

import pyblish.api


class CollectFtrackConnection(pyblish.api.ContextPlugin):
    """Open the ftrack session and read the task; refused credentials are kept for
    ValidateFtrackServer to say, an unreachable server means "queue"."""

    label = "ftrack connection"
    order = pyblish.api.CollectorOrder + 0.4

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.connection import connect
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        try:
            connect(state)
        except ValidationError as error:  # said by the server validator, with the others
            state.connect_error = error
            return
        if state.online:
            self.log.info("Connected to %s", getattr(state.session, "server_url", "ftrack"))


class CollectQueuedWorkFirst(pyblish.api.ContextPlugin):
    """Publish this machine's queued work for the server before this publish reads anything
    for its own version (the queue keeps the artist's order: ft_dcc.publish.backlog)."""

    label = "Queued work first"
    order = pyblish.api.CollectorOrder + 0.45

    def process(self, context):
        from ft_dcc.publish.backlog import publish_backlog
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        if state.online:
            publish_backlog(state)
