"""Extract: a JPEG thumbnail of a still."""

import pyblish.api


class ExtractStillThumbnail(pyblish.api.InstancePlugin):
    """Make the thumbnail from the still's review image."""

    label = "Thumbnail"
    order = pyblish.api.ExtractorOrder + 0.2
    families = ["still"]

    def process(self, instance):
        from ft_dcc.publish.extract_still import still_thumbnail
        from ft_dcc.publish.state import ReviewScope

        path = still_thumbnail(ReviewScope.of(instance))
        instance.data["thumbnail"] = str(path)
        self.log.info("Thumbnail %s", path.name)
