"""Validate that the target review session (if it exists already) is still open."""

import pyblish.api


class ValidateReviewSessionOpen(pyblish.api.ContextPlugin):
    """A closed review session takes no new content: stop before anything is written."""

    label = "Review session open"
    order = pyblish.api.ValidatorOrder + 0.1

    def process(self, context):
        from ft_dcc import review
        from ft_dcc.publish.state import NO_CONNECTION, defer, skip, state_of

        state = state_of(context)
        if state.offline:
            defer(context, self)
            return
        if not state.online:
            skip(context, self, NO_CONNECTION)
            return
        if state.project is None:  # the task validator failed and said why
            return
        if state.review_session_name is None:  # the collector did not run
            return
        if state.view is not None:  # the planned read of ValidateTask
            found = state.view.review_session
        else:
            found = review.find_review_session(
                state.connected_session(), state.project, state.review_session_name
            )
        if found is None:
            self.log.info("Review session %r will be created", state.review_session_name)
            return
        review.ensure_open(found)
        self.log.info("Review session %r is open", state.review_session_name)
