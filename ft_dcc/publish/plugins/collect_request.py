"""Make sure the context carries ft_dcc's publish state (also when a pyblish UI drives us)."""

import pyblish.api


class CollectFtDccState(pyblish.api.ContextPlugin):
    """Attach the publish state: the one ft_dcc.publish() prepared, or the installed host's."""

    label = "Publish request"
    order = pyblish.api.CollectorOrder - 0.45

    def process(self, context):
        from ft_dcc.publish.state import STATE_KEY
        from ft_dcc.publish.ui import state_for_ui

        if context.data.get(STATE_KEY) is None:
            context.data[STATE_KEY] = state_for_ui()
        state = context.data[STATE_KEY]
        self.log.info("Publishing from %s", state.host.name or type(state.host).__name__)
