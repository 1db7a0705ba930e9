"""Extract: a JPEG thumbnail for the version."""

import pyblish.api


class ExtractThumbnail(pyblish.api.InstancePlugin):
    """Make the thumbnail from the middle of the review."""

    label = "Thumbnail"
    order = pyblish.api.ExtractorOrder + 0.2
    families = ["review"]

    def process(self, instance):
        from ft_dcc.publish.extract import thumbnail
        from ft_dcc.publish.state import ReviewScope

        path = thumbnail(ReviewScope.of(instance))
        instance.data["thumbnail"] = str(path)
        self.log.info("Thumbnail %s", path.name)
