"""Collect what the server has for every reviewable's version, in one request for all of them."""

import pyblish.api


class CollectServerView(pyblish.api.ContextPlugin):
    """Read, once for every published reviewable, what the validators and the integrator need
    of the server (the shot and its custom attributes, the review session, the project's open
    sessions, the asset and its latest version...: ``ft_dcc.publish.shared.planned_read``);
    after the work queued before this publish went first and every collector made its changes.
    Offline, or with no task read, it reads nothing: the validators say why."""

    label = "What the server has"
    order = pyblish.api.CollectorOrder + 0.492
    targets = ["default", "queued"]  # decides a queued publish again too

    def process(self, context):
        from ft_dcc.publish.shared.planned_read import read_planned
        from ft_dcc.publish.shared.state import connection_of, task_facts_of

        facts = task_facts_of(context.data)
        if not connection_of(context.data).online or facts.task is None or facts.error:
            return
        task = read_planned(context)
        self.log.info("Read the server's view of task %s", task["name"])
