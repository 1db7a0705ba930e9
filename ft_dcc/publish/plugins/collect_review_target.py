"""Collect where the review goes: the review session name, the asset name and the comment."""

import pyblish.api


class CollectReviewTarget(pyblish.api.ContextPlugin):
    """Pick the review session (default "Dailies YYYY-MM-DD") and the asset name."""

    label = "Review session"
    order = pyblish.api.CollectorOrder - 0.15

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.naming import default_asset_name, templated_asset_name
        from ft_dcc.publish.state import state_of
        from ft_dcc.review.sessions import default_review_session_name

        state = state_of(context)
        request = state.request
        state.review_session_name = request.review_session_name or default_review_session_name()
        state.asset_name = (
            state.reviewable.asset_name or templated_asset_name(state) or default_asset_name(state)
        )
        if state.asset_name in state.taken_names:
            raise ValidationError(
                f"two of the reviewables would be versions of the same asset "
                f"{state.asset_name!r}",
                hint="give each its own asset name, or put {camera} in the settings' "
                "naming.asset template (e.g. {shot}_{camera})",
            )
        context.data["comment"] = request.comment
        self.log.info("Review session %r, asset %r", state.review_session_name, state.asset_name)
