"""Collect one review instance per reviewable (a camera, a Write node, an input file)."""

import pyblish.api


class CollectReviewables(pyblish.api.ContextPlugin):
    """Create an instance for each reviewable of the request (family ``review``: a movie;
    ``still``: one picture), named by its asset; two reviewables may not be versions of the
    same asset."""

    label = "Reviewables"
    order = pyblish.api.CollectorOrder - 0.12
    targets = ["default", "queued"]  # decides a queued publish again too

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.reviewables import review_items
        from ft_dcc.publish.state import STATE_KEY

        taken = []
        for item in review_items(context.data):
            if item.asset_name in taken:
                raise ValidationError(
                    f"two of the reviewables would be versions of the same asset "
                    f"{item.asset_name!r}",
                    hint="give each its own asset name, or put {camera} in the settings' "
                    "naming.asset template (e.g. {shot}_{camera})",
                )
            taken.append(item.asset_name)
            instance = context.create_instance(item.asset_name, family=item.family)
            instance.data[STATE_KEY] = item
            self.log.info("Reviewable %r (asset %r, %s)", item.reviewable.source or "scene",
                          item.asset_name, item.family)  # fmt: skip
