"""Validate the frame the thumbnail (and the review page's poster) shows."""

import pyblish.api


class ValidateThumbnailFrame(pyblish.api.InstancePlugin):
    """The chosen thumbnail frame lies in the published range; default: the settings' rule
    (``thumbnail.frame``: the first, middle or last frame)."""

    label = "Thumbnail frame"
    order = pyblish.api.ValidatorOrder + 0.15
    families = ["review"]
    #: the frame when the artist names none: first, middle or last (thumbnail.frame)
    rule = "middle"

    def process(self, instance):
        from ft_dcc.exceptions import ValidationError
        from ft_dcc.publish.shared.state import item_of, publish_of

        item = item_of(instance)
        spec = item.spec
        if spec is None:  # the capture settings were not collected (that step said why)
            return
        request = publish_of(instance.context).request
        frame = request.thumbnail_frame
        if frame is None:
            frame = {"first": spec.frame_start, "last": spec.frame_end}.get(
                self.rule, spec.frame_start + spec.frame_count // 2
            )
        if not spec.frame_start <= frame <= spec.frame_end:
            raise ValidationError(
                f"The thumbnail frame {frame} is outside the published range "
                f"{spec.frame_start}-{spec.frame_end}.",
                hint=f"choose --thumbnail-frame from {spec.frame_start} to {spec.frame_end}",
            )
        item.thumbnail_frame = frame
        self.log.info("Thumbnail and poster: frame %s", frame)
