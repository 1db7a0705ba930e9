"""Collect what to capture (camera, range, fps, resolution, viewport look) for each review
instance: the scene's, with the artist's choices and the studio settings applied
(``ft_dcc.publish.rules.capture_rules``), and the instance.data contract a studio plugin reads."""

import pyblish.api


class CollectCaptureSpec(pyblish.api.InstancePlugin):
    """Build the capture spec from the scene, with the artist's overrides."""

    label = "Capture settings"
    order = pyblish.api.CollectorOrder - 0.1
    targets = ["default", "queued"]  # decides a queued publish again too
    families = ["review", "still"]
    #: the capture's size: the settings' capture.resolution ("WxH"; None: the scene's, times
    #: capture.scale), inside encode.max_size ("WxH"; None: any)
    resolution = None
    scale = 1.0
    max_size = None
    #: how the host's viewport draws the capture: the settings' capture.shading, .overlays, .hud
    shading = "scene"
    overlays = False
    hud = False
    #: the range: the settings' capture.frame_range ("scene", or "shot": the shot's in ftrack,
    #: which CollectShotFrames takes) and capture.handles around it (not around --frames)
    frame_range = "scene"
    handles = 0
    #: the review movie: the settings' encode.quality (H.264 CRF) and encode.sound
    quality = 15
    sound = True

    def process(self, instance):
        from ft_dcc.publish.rules.capture_rules import SizeRules, collect_spec, review_rules
        from ft_dcc.publish.shared.instance_data import contract_data
        from ft_dcc.publish.shared.state import ReviewScope

        scope = ReviewScope.of(instance)
        scope.item.rules = review_rules(self)
        viewport = {"shading": self.shading, "overlays": self.overlays, "hud": self.hud}
        sizes = SizeRules.of(self.resolution, self.scale, self.max_size)
        spec = scope.item.spec = collect_spec(scope, sizes, viewport)
        comment = instance.context.data.get("comment") or ""
        instance.data.update(contract_data(scope, scope.item.family, comment))
        instance.data["label"] = (
            f"Still (frame {spec.frame_start})"
            if scope.item.still
            else f"Review {spec.frame_start}-{spec.frame_end}"
        )
        self.log.info("Capture %s-%s at %s fps, %sx%s, camera %s", spec.frame_start,
                      spec.frame_end, spec.fps, spec.width, spec.height, spec.camera)  # fmt: skip
