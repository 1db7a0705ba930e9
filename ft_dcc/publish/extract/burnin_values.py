"""The values of a publish's burn-in fields (project, shot, task, version, artist, ...).

Everything comes from what the publish already holds: no request is sent. The version is the
one the integrate step predicts (the planned read's latest version + 1); a racing publish that
takes that number first is reported as a warning after integrating. Offline the number is not
known yet: the field reads "next".
"""

from __future__ import annotations

from typing import List, Optional

from ft_dcc.publish.shared.state import BurninValues, ReviewScope
from ft_dcc.settings.templates import current_date

OFFLINE_VERSION = "next"


def burnin_values(state: ReviewScope) -> BurninValues:
    """The field values of :data:`ft_dcc.media.burnin.FIELDS` (``frame`` is drawn per frame)."""
    spec = state.capture_spec()
    project, shot, task = _names(state)
    focal = state.host.focal_length(spec.camera) if spec.camera else None
    return {
        "project": project,
        "shot": shot,
        "task": task,
        "version": predicted_version(state) or OFFLINE_VERSION,
        "artist": state.user,
        "date": current_date().isoformat(),  # the day the session's {date} names
        "frame_range": f"{spec.frame_start}-{spec.frame_end}",
        "camera": spec.camera or "",
        "focal_length": "" if focal is None else f"{focal:g}mm",
        "comment": state.request.comment,
    }


def predicted_version(state: ReviewScope) -> Optional[int]:
    """The version number the integrate step will ask for; None offline."""
    view = state.item.view
    return None if view is None else view.latest_version + 1


def _names(state: ReviewScope) -> List[str]:
    """(project, shot, task) names: from the task's link online, else from the task path."""
    task = state.facts.task
    if task is not None:
        link = [str(item["name"]) for item in (task["link"] or [])]
        shot = str(state.item.shot["name"]) if state.item.shot is not None else ""
        return [link[0] if link else "", shot or (link[-2] if len(link) > 2 else ""),
                str(task["name"])]  # fmt: skip
    parts = (state.facts.task_path or "").split("/")
    return [parts[0] if len(parts) > 1 else "", parts[-2] if len(parts) > 2 else "", parts[-1]]
