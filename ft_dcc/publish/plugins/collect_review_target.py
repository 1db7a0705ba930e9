"""Collect where the review goes: the review session name and the comment."""

import pyblish.api


class CollectReviewTarget(pyblish.api.ContextPlugin):
    """Pick the review session (default "Dailies YYYY-MM-DD") and the publish's comment."""

    label = "Review session"
    order = pyblish.api.CollectorOrder - 0.15
    targets = ["default", "queued"]  # decides a queued publish again too

    def process(self, context):
        from ft_dcc.publish.shared.state import SESSION_NAME_KEY, publish_of
        from ft_dcc.review.sessions import default_review_session_name

        request = publish_of(context).request
        name = request.review_session_name or default_review_session_name()
        context.data[SESSION_NAME_KEY] = name
        context.data["comment"] = request.comment
        self.log.info("Review session %r", name)
