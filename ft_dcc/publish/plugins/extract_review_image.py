"""Extract: a still's full-size review image (its ftrackreview-image)."""

import pyblish.api


class ExtractReviewImage(pyblish.api.InstancePlugin):
    """Make the browser-ready PNG of the still, through the OCIO view when it is scene-linear."""

    label = "Review image"
    order = pyblish.api.ExtractorOrder + 0.1
    families = ["still"]
    #: a picture's alpha: shown over a checkerboard, or flattened (encode.still_alpha)
    still_alpha = "checkerboard"

    def process(self, instance):
        from ft_dcc.publish.extract.still import review_image
        from ft_dcc.publish.shared.state import ReviewScope

        scope = ReviewScope.of(instance)
        path = review_image(scope, flatten=self.still_alpha == "flatten")
        instance.data["reviewImage"] = str(path)
        self.log.info("Review image %s: %sx%s", path.name, scope.item.ftr_meta["width"],
                      scope.item.ftr_meta["height"])  # fmt: skip
