"""Collect the ftrack task: a task id, a ``Project/Seq/Shot/Task`` path or FTRACK_CONTEXTID."""

import pyblish.api


class CollectFtrackTask(pyblish.api.ContextPlugin):
    """Read which task the publish goes to (checked against the server by ValidateTask)."""

    label = "ftrack task"
    order = pyblish.api.CollectorOrder - 0.3

    def process(self, context):
        from ft_dcc.publish.state import state_of
        from ft_dcc.publish.tasks import parse_task_ref

        state = state_of(context)
        state.task_id, state.task_path = parse_task_ref(state.request.task)
        self.log.info("Task: %s", state.task_path or state.task_id or "(none)")
