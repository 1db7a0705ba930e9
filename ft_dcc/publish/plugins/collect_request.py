"""Make sure the context carries ft_dcc's publish context (also when a pyblish UI drives us)."""

import pyblish.api


class CollectFtDccState(pyblish.api.ContextPlugin):
    """Record the publish context: the one ft_dcc.publish() handed to the pyblish context
    (``api.PublishingContext``), or the installed host's (a pyblish UI)."""

    label = "Publish request"
    order = pyblish.api.CollectorOrder - 0.45
    targets = ["default", "queued"]  # decides a queued publish again too

    def process(self, context):
        from ft_dcc.publish.pipeline.ui import context_for_ui
        from ft_dcc.publish.shared.state import STATE_KEY, publish_of

        if context.data.get(STATE_KEY) is None:
            context.data[STATE_KEY] = getattr(context, "publish", None) or context_for_ui()
        host = publish_of(context).host
        self.log.info("Publishing from %s", host.name or type(host).__name__)
