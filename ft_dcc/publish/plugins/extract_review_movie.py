"""Extract: encode the browser-playable H.264 review and verify it before upload."""

import pyblish.api


class ExtractReviewMovie(pyblish.api.InstancePlugin):
    """Encode (H.264 High, yuv420p, exact CFR, +faststart), then verify frames/fps/codec."""

    label = "Review movie"
    order = pyblish.api.ExtractorOrder + 0.1
    families = ["review"]

    def process(self, instance):
        from ft_dcc.publish.extract.steps import encode_and_verify
        from ft_dcc.publish.shared.state import ReviewScope

        scope = ReviewScope.of(instance)
        movie = encode_and_verify(scope)
        instance.data["reviewMovie"] = str(movie)
        info = scope.item.movie_info
        assert info is not None  # set by encode_and_verify
        self.log.info("Encoded %s: %d frames at %s fps, %dx%d", movie.name, info.frame_count,
                      info.fps, info.width, info.height)  # fmt: skip
