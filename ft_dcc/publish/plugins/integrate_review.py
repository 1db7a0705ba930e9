"""Integrate: write every reviewable's version, its components and its review-session entry in
one commit (or queue them)."""

import pyblish.api


class IntegrateReview(pyblish.api.ContextPlugin):
    """Upload, then commit the AssetVersions into the review session; queue when offline."""

    label = "Publish to ftrack"
    order = pyblish.api.IntegratorOrder
    #: the rules of a review session this publish creates (not of one that is): the settings'
    #: client_review.open_days, .downloads and .watermark
    open_days = 30
    downloads = "none"
    watermark = False

    def process(self, context):
        from ft_dcc.console import IN_REPORT
        from ft_dcc.publish.offline.integrate_step import integrate_or_queue
        from ft_dcc.publish.shared.state import RESULT_KEY

        rules = {"open_days": self.open_days, "downloads": self.downloads,
                 "watermark": self.watermark}  # fmt: skip
        result = context.data[RESULT_KEY] = integrate_or_queue(context, rules)
        if result.queue_entry is not None:
            self.log.warning("Queued as %s", result.queue_entry.path, extra=IN_REPORT)
        elif result.outcome is not None:
            for outcome in result.outcome.every():
                self.log.info("Published version %s (%s) in review session %r",
                              outcome.version_number, outcome.asset_version_id,
                              outcome.review_session_name)  # fmt: skip
