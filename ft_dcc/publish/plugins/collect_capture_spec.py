"""Collect what to capture (camera, range, fps, resolution) into a CaptureSpec instance."""

from typing import Any, Dict

import pyblish.api


class CollectCaptureSpec(pyblish.api.ContextPlugin):
    """Build the capture spec from the scene, with the artist's overrides, as a review instance."""

    label = "Capture settings"
    order = pyblish.api.CollectorOrder - 0.1

    def process(self, context):
        from ft_dcc.publish.naming import capture_size
        from ft_dcc.publish.state import REVIEW_FAMILY, state_of

        state = state_of(context)
        request = state.request
        overrides: Dict[str, Any] = {"camera": state.camera_choice(), "fps": request.fps}
        if request.frames:
            overrides["frame_start"], overrides["frame_end"] = request.frames
        size = capture_size(state.host, request.resolution, request.scale)
        if size is not None:
            overrides["width"], overrides["height"] = size
        state.spec = state.host.default_spec(**overrides)
        spec = state.spec
        name = state.asset_name or "review"
        instance = context.create_instance(name, family=REVIEW_FAMILY)
        instance.data.update(
            {
                "label": f"Review {spec.frame_start}-{spec.frame_end}",
                "frameStart": spec.frame_start,
                "frameEnd": spec.frame_end,
                "fps": float(spec.fps),
                "camera": spec.camera,
                "resolution": (spec.width, spec.height),
                "spec": spec,
            }
        )
        self.log.info(
            "Capture %s-%s at %s fps, %sx%s, camera %s",
            spec.frame_start,
            spec.frame_end,
            spec.fps,
            spec.width,
            spec.height,
            spec.camera,
        )
