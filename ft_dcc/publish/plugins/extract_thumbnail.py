"""Extract: a JPEG thumbnail for the version."""

import pyblish.api


class ExtractThumbnail(pyblish.api.InstancePlugin):
    """Make the thumbnail: a movie's from its chosen frame, a still's from its review image."""

    label = "Thumbnail"
    order = pyblish.api.ExtractorOrder + 0.2
    families = ["review", "still"]

    def process(self, instance):
        from ft_dcc.publish.extract.steps import thumbnail
        from ft_dcc.publish.extract.still import still_thumbnail
        from ft_dcc.publish.shared.state import ReviewScope

        scope = ReviewScope.of(instance)
        path = still_thumbnail(scope) if scope.item.still else thumbnail(scope)
        instance.data["thumbnail"] = str(path)
        self.log.info("Thumbnail %s", path.name)
