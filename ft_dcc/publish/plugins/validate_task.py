"""Validate that the ftrack task exists (and remember its shot and project)."""

import pyblish.api


class ValidateTask(pyblish.api.ContextPlugin):
    """The task was found on the server (by id, or by its Project/Seq/Shot/Task path), and
    what the server has for each version was read (``CollectServerView``)."""

    label = "ftrack task exists"
    order = pyblish.api.ValidatorOrder - 0.35

    def process(self, context):
        from ft_dcc.publish.context.tasks import no_task_given
        from ft_dcc.publish.shared.state import (
            NO_CONNECTION,
            connection_of,
            defer,
            skip,
            task_facts_of,
        )  # fmt: skip

        connection, facts = connection_of(context.data), task_facts_of(context.data)
        if connection.offline:
            if not (facts.task_id or facts.task_path):
                raise no_task_given()
            defer(context, self)
            return
        if not connection.online:  # the server validator already said why
            skip(context, self, NO_CONNECTION)
            return
        if facts.error is not None:
            raise facts.error
        if facts.task is None:
            raise no_task_given()
        task = facts.task
        self.log.info("Task %s (%s)", task["name"], task["id"])
