"""Collect the ftrack task: a task id, a ``Project/Seq/Shot/Task`` path or FTRACK_CONTEXTID,
and, online, the task as the connection read it (the one writer of ``TaskFacts``)."""

import pyblish.api


class CollectFtrackTask(pyblish.api.ContextPlugin):
    """Which task the publish goes to, as given and as the server has it (checked by
    ValidateTask); after the connection, whose first read is the task's."""

    label = "ftrack task"
    order = pyblish.api.CollectorOrder + 0.42
    targets = ["default", "queued"]  # decides a queued publish again too

    def process(self, context):
        import attr

        from ft_dcc.publish.context.tasks import parse_task_ref
        from ft_dcc.publish.shared.state import TASK_KEY, TaskFacts, connection_of, publish_of

        task_id, task_path = parse_task_ref(publish_of(context).request.task)
        connection = connection_of(context.data)
        facts = TaskFacts(task_id=task_id, task_path=task_path, error=connection.task_error)
        task = connection.task
        if task is not None:
            facts = attr.evolve(facts, task=task, task_id=str(task["id"]),
                                project=str(task["project_id"]))  # fmt: skip
        context.data[TASK_KEY] = facts
        self.log.info("Task: %s", task_path or task_id or "(none)")
