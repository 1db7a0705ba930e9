"""Extract: capture the playblast through the host."""

import pyblish.api


class ExtractCapture(pyblish.api.InstancePlugin):
    """Ask the host to capture the spec's frames (it restores every setting it touches)."""

    label = "Capture"
    order = pyblish.api.ExtractorOrder
    families = ["review", "still"]

    def process(self, instance):
        from ft_dcc.publish.extract.steps import capture
        from ft_dcc.publish.shared.state import ReviewScope

        result = capture(ReviewScope.of(instance))
        instance.data["files"] = [str(f) for f in result.files]
        self.log.info("Captured %d file(s)", len(result.files))
