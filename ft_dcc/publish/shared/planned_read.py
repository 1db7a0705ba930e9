"""The publish's one read before it writes (its task was read by the connection): what every
reviewable's version needs to know from the server (``integrate_read``), in one request for
all of them."""

from __future__ import annotations

from typing import Any

from ft_dcc.publish.integrate.read import read_views
from ft_dcc.publish.shared.state import (
    ReviewScope,
    connection_of,
    item_of,
    publishing,
    task_facts_of,
)
from ft_dcc.session.interface import EntityLike


def read_planned(context: Any) -> EntityLike:
    """Read each published review instance's planned view and shot, in one request for all of
    them; return the task (read by the connection: ``CollectFtrackTask``)."""
    data = context.data
    session = connection_of(data).session
    task = task_facts_of(data).task
    assert session is not None and task is not None, "ValidateTask checks both first"
    instances = publishing(context)
    if instances:
        targets = [(ReviewScope.of(each).publish_target(), None) for each in instances]
        for each, view in zip(instances, read_views(session, targets)):
            item = item_of(each)
            item.view, item.shot = view, view.shot
    return task
