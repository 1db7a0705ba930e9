"""Integrate: write the version, its components and the review-session entry (or queue them)."""

import pyblish.api


class IntegrateReview(pyblish.api.ContextPlugin):
    """Upload, then commit the AssetVersion into the review session; queue when offline."""

    label = "Publish to ftrack"
    order = pyblish.api.IntegratorOrder

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.integrate_step import integrate_or_queue
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        integrate_or_queue(state)
        if state.queue_entry is not None:
            self.log.warning("Queued as %s", state.queue_entry.path, extra=IN_REPORT)
        elif state.outcome is not None:
            outcome = state.outcome
            self.log.info(
                "Published version %s (%s) in review session %r",
                outcome.version_number,
                outcome.asset_version_id,
                outcome.review_session_name,
            )
