"""Validate the burn-in/slate choice: the mode, the template file and its fields."""

import pyblish.api


class ValidateBurnin(pyblish.api.ContextPlugin):
    """An unknown mode, an unreadable template or an unknown field fails here, with the valid
    fields, before anything is captured, encoded or uploaded."""

    label = "Burn-ins and slate"
    order = pyblish.api.ValidatorOrder + 0.3

    def process(self, context):
        from ft_dcc.publish.checks import check_burnin
        from ft_dcc.publish.state import state_of

        state = state_of(context)
        state.burnin = check_burnin(state.request.burnin, state.request.burnin_template)
        if state.burnin is None:
            self.log.info("No burn-ins")
        else:
            self.log.info("Burn-ins: %s (%s)", state.burnin.mode, state.burnin.template.source)
