"""Extract: encode the browser-playable H.264 review and verify it before upload."""

import pyblish.api


class ExtractReviewMovie(pyblish.api.InstancePlugin):
    """Encode (H.264 High, yuv420p, exact CFR, +faststart), then verify frames/fps/codec."""

    label = "Review movie"
    order = pyblish.api.ExtractorOrder + 0.1
    families = ["review"]

    def process(self, instance):
        from ft_dcc.publish.extract import encode_and_verify

        state = instance.context.data["ft_dcc"]
        movie = encode_and_verify(state)
        instance.data["reviewMovie"] = str(movie)
        self.log.info(
            "Encoded %s: %d frames at %s fps, %dx%d",
            movie.name,
            state.movie_info.frame_count,
            state.movie_info.fps,
            state.movie_info.width,
            state.movie_info.height,
        )
