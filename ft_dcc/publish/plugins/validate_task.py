"""Validate that the ftrack task exists (and remember its shot and project)."""

import pyblish.api


class ValidateTask(pyblish.api.ContextPlugin):
    """Find the task on the server: by id, or by its Project/Seq/Shot/Task path."""

    label = "ftrack task exists"
    order = pyblish.api.ValidatorOrder - 0.35

    def process(self, context):
        from ft_dcc.publish.integrate_read import read_view
        from ft_dcc.publish.state import NO_CONNECTION, defer, skip, state_of
        from ft_dcc.publish.tasks import no_task_given, resolve_task

        state = state_of(context)
        if state.offline:
            if not (state.task_id or state.task_path):
                raise no_task_given()
            defer(context, self)
            return
        if not state.online:  # the server validator already said why
            skip(context, self, NO_CONNECTION)
            return
        if state.task_error is not None:
            raise state.task_error
        session = state.connected_session()
        if state.task is None:
            state.task = resolve_task(session, state.task_id, state.task_path)
        state.task_id = state.task["id"]
        state.project = state.task["project_id"]
        # one request for everything the other validators and the integrate step read (the
        # queued work went first: CollectQueuedWorkFirst)
        state.view = read_view(session, state.publish_target())
        state.shot = state.view.shot
        self.log.info("Task %s (%s)", state.task["name"], state.task_id)
