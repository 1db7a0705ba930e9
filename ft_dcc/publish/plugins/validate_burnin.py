"""Validate the burn-in/slate choice: the mode, the template file and its fields."""

import pyblish.api


class ValidateBurnin(pyblish.api.InstancePlugin):
    """An unknown mode, an unreadable template or an unknown field fails here, with the valid
    fields, before anything is captured, encoded or uploaded."""

    label = "Burn-ins and slate"
    order = pyblish.api.ValidatorOrder + 0.3
    families = ["review"]

    def process(self, instance):
        from ft_dcc.publish.rules.checks import check_burnin
        from ft_dcc.publish.shared.state import item_of, publish_of

        request = publish_of(instance.context).request
        burnin = item_of(instance).burnin = check_burnin(request.burnin, request.burnin_template)
        if burnin is None:
            self.log.info("No burn-ins")
        else:
            self.log.info("Burn-ins: %s (%s)", burnin.mode, burnin.template.source)
