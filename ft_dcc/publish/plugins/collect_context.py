"""Collect the ftrack task: a task id, a ``Project/Seq/Shot/Task`` path or FTRACK_CONTEXTID."""

import pyblish.api


class CollectFtrackTask(pyblish.api.ContextPlugin):
    """Read which task the publish goes to (checked against the server by ValidateTask)."""

    label = "ftrack task"
    order = pyblish.api.CollectorOrder - 0.3

    def process(self, context):
        from ft_dcc.publish.state import TASK_KEY, TaskFacts, publish_of
        from ft_dcc.publish.tasks import parse_task_ref

        task_id, task_path = parse_task_ref(publish_of(context).request.task)
        context.data[TASK_KEY] = TaskFacts(task_id=task_id, task_path=task_path)
        self.log.info("Task: %s", task_path or task_id or "(none)")
