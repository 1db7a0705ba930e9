"""Validate that ffmpeg is available to encode the review."""

import pyblish.api


class ValidateFfmpeg(pyblish.api.ContextPlugin):
    """ffmpeg (IMAGEIO_FFMPEG_EXE, or the one bundled with imageio-ffmpeg) can be run."""

    label = "ffmpeg available"
    order = pyblish.api.ValidatorOrder + 0.2

    def process(self, context):
        from ft_dcc.exceptions import MediaError, ValidationError
        from ft_dcc.media.ffmpeg import ffmpeg_executable

        try:
            self.log.info("ffmpeg: %s", ffmpeg_executable())
        except MediaError as exc:
            raise ValidationError(
                f"ffmpeg is not available: {exc.message}",
                hint=exc.hint or "reinstall ft-dcc (it brings imageio-ffmpeg)",
            ) from exc
