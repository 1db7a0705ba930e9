"""Validate the review's colour transform: the OCIO config, colourspace, display and view."""

import pyblish.api


class ValidateColour(pyblish.api.InstancePlugin):
    """Scene-linear frames need a readable OCIO config and known colourspace/display/view names;
    an unknown name fails here, with the valid names, before anything is captured or encoded."""

    label = "Review colour (OCIO)"
    order = pyblish.api.ValidatorOrder + 0.25
    families = ["review", "still"]
    #: an OCIO look applied before the view when the host's settings name none (colour.look)
    look = None

    def process(self, instance):
        from ft_dcc.publish.rules.checks import check_colour
        from ft_dcc.publish.shared.state import item_of

        item = item_of(instance)
        colour = item.colour = check_colour(item.host, self.look)
        if colour is None:
            self.log.info("The frames are display-referred: no colour transform")
        else:
            self.log.info("OCIO %s: %s -> %s / %s (look: %s)", colour.config,
                          colour.input_colorspace, colour.display, colour.view,
                          colour.look or "none")  # fmt: skip
