"""Collect what to capture (camera, range, fps, resolution, viewport look) into a CaptureSpec
instance: the scene's, with the artist's choices and the studio settings applied
(``ft_dcc.publish.capture_rules``)."""

from typing import TYPE_CHECKING

import pyblish.api

if TYPE_CHECKING:
    from ft_dcc.publish.host_port import SpecOverrides


class CollectCaptureSpec(pyblish.api.ContextPlugin):
    """Build the capture spec from the scene, with the artist's overrides, as a review instance."""

    label = "Capture settings"
    order = pyblish.api.CollectorOrder - 0.1

    def process(self, context):
        from ft_dcc.publish.capture_rules import fit_inside, range_overrides, viewport_display
        from ft_dcc.publish.instance_data import contract_data
        from ft_dcc.publish.naming import capture_size
        from ft_dcc.publish.state import REVIEW_FAMILY, state_of

        state = state_of(context)
        request = state.request
        # the reviewable's camera or the one capture.camera names (ValidateCamera checks it)
        overrides: SpecOverrides = {"camera": state.camera_choice(), "fps": request.fps}
        overrides.update(range_overrides(state.host, request))
        overrides["display"] = viewport_display(request)
        size = capture_size(state.host, request.resolution, request.scale)
        fitted = fit_inside(size or state.host.resolution(), request.max_size)
        if size is not None or request.max_size is not None:
            overrides["width"], overrides["height"] = fitted
        state.spec = state.host.default_spec(**overrides)
        spec = state.spec
        name = state.asset_name or "review"
        instance = context.create_instance(name, family=REVIEW_FAMILY)
        comment = context.data.get("comment") or ""
        instance.data.update(contract_data(state, REVIEW_FAMILY, comment))
        instance.data.update(
            {
                "label": f"Review {spec.frame_start}-{spec.frame_end}",
                "resolution": (spec.width, spec.height),
                "spec": spec,
            }
        )
        state.instance_data, state.context_data = instance.data, context.data
        self.log.info(
            "Capture %s-%s at %s fps, %sx%s, camera %s",
            spec.frame_start,
            spec.frame_end,
            spec.fps,
            spec.width,
            spec.height,
            spec.camera,
        )
