"""An unknown task (or shot) in a task path lists what exists there and suggests the nearest
name, as the publish does for review sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_task, open_session

from ft_dcc.exceptions import ValidationError
from ft_dcc.publish.context.tasks import resolve_task


def _error(session, path: str) -> str:
    with pytest.raises(ValidationError) as caught:
        resolve_task(session, None, path)
    return f"{caught.value.message} ({caught.value.hint})"


def test_an_unknown_task_lists_the_shots_tasks_and_suggests_the_nearest(
    embedded_server, tmp_path: Path
) -> None:
    with open_session(embedded_server, tmp_path) as session:
        path = make_task(session, task_name="compositing")
        shot = path.rsplit("/", 1)[0]
        make_task(session, project_name=None)  # another project's comp: not listed
        anim = session.query(f'Shot where project.name is "{path.split("/")[0]}"').one()
        session.create("Task", {"name": "animation", "parent": anim, "project": anim["project"]})
        session.commit()
        typo = _error(session, f"{shot}/compostiing")
        assert "did you mean 'compositing'" in typo, typo
        assert "animation" in typo and "compositing" in typo, typo
        short = _error(session, f"{shot}/comp")  # a start of a name is a likely meaning too
        assert "did you mean 'compositing'" in short, short
        far = _error(session, f"{shot}/lighting")
        assert "did you mean" not in far and "animation, compositing" in far, far


def test_an_unknown_shot_lists_the_sequences_shots(embedded_server, tmp_path: Path) -> None:
    with open_session(embedded_server, tmp_path) as session:
        path = make_task(session)
        project, sequence = path.split("/")[:2]
        text = _error(session, f"{project}/{sequence}/sh01/comp")
        assert "did you mean 'sh010'" in text, text
