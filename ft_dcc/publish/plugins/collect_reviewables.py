"""Collect one review instance per reviewable (a camera, a Write node, an input file)."""

import pyblish.api


class CollectReviewables(pyblish.api.ContextPlugin):
    """Create an instance for each reviewable of the request (family ``review``: a movie;
    ``still``: one picture), named by its asset; two reviewables may not be versions of the
    same asset."""

    label = "Reviewables"
    order = pyblish.api.CollectorOrder - 0.12
    targets = ["default", "queued"]  # decides a queued publish again too
    #: the settings' naming.asset: the asset's name when the artist gave none, e.g.
    #: "{shot}_{camera}" (None: the scene's name without its version)
    asset_name_template = None
    #: the settings' capture.camera: "scene" (the scene's camera) or the camera a reviewable
    #: with no camera of its own captures through
    camera = "scene"

    def process(self, context):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.shared.reviewables import review_items
        from ft_dcc.publish.shared.state import STATE_KEY

        taken = []
        for item in review_items(context.data, self.asset_name_template, self.camera):
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
