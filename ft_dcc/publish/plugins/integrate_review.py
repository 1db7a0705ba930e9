"""Integrate: write every reviewable's version, its components and its review-session entry in
one commit (or queue them)."""

import pyblish.api


class IntegrateReview(pyblish.api.ContextPlugin):
    """Upload, then commit the AssetVersions into the review session; queue when offline."""

    label = "Publish to ftrack"
    order = pyblish.api.IntegratorOrder

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.integrate_step import integrate_or_queue
        from ft_dcc.publish.state import RESULT_KEY

        result = context.data[RESULT_KEY] = integrate_or_queue(context)
        if result.queue_entry is not None:
            self.log.warning("Queued as %s", result.queue_entry.path, extra=IN_REPORT)
        elif result.outcome is not None:
            for outcome in result.outcome.every():
                self.log.info("Published version %s (%s) in review session %r",
                              outcome.version_number, outcome.asset_version_id,
                              outcome.review_session_name)  # fmt: skip
