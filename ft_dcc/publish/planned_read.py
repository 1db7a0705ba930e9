"""The publish's one read before it writes: its task, then what every reviewable's version
needs to know from the server (``integrate_read``), in one request for all of them."""

from __future__ import annotations

from typing import Any

import attr

from ft_dcc.publish.integrate_read import read_views
from ft_dcc.publish.state import (
    TASK_KEY,
    ReviewScope,
    connection_of,
    item_of,
    publishing,
    task_facts_of,
)
from ft_dcc.publish.tasks import resolve_task
from ft_dcc.session.interface import EntityLike


def read_planned(context: Any) -> EntityLike:
    """Read the task (unless the connection did) into ``context.data``'s task facts and each
    published review instance's planned view and shot; return the task."""
    data = context.data
    session = connection_of(data).session
    facts = task_facts_of(data)
    assert session is not None, "the connection collector runs before the validators"
    task = facts.task or resolve_task(session, facts.task_id, facts.task_path)
    data[TASK_KEY] = attr.evolve(
        facts, task=task, task_id=str(task["id"]), project=str(task["project_id"])
    )
    instances = publishing(context)
    if instances:
        targets = [(ReviewScope.of(each).publish_target(), None) for each in instances]
        for each, view in zip(instances, read_views(session, targets)):
            item = item_of(each)
            item.view, item.shot = view, view.shot
    return task
