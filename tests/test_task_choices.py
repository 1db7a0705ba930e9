"""The task picker's data (#23 item 3): project -> shot -> task from the real embedded server in
one request, recent first (kept in the app-data folder, per server), narrowed to the scene's
shot when its path matches the settings' path templates."""

from __future__ import annotations

import uuid

from support import make_task, open_session

from ft_dcc.host.task_choices import RecentTasks, fetch_projects, task_choices


def test_the_picker_lists_tasks_recent_first_and_narrows_by_the_scene_path(
    embedded_server, tmp_path
):
    session = open_session(embedded_server, tmp_path)
    project = f"pick{uuid.uuid4().hex[:8]}"
    comp = make_task(session, project)  # <project>/sq010/sh010/comp
    shot = session.query(f'Shot where name is "sh010" and project.name is "{project}"').one()
    task_type = session.query('Type where name is "Compositing"').first()
    other_shot = session.create(
        "Shot", {"name": "sh020", "parent": shot["parent"], "project": shot["project"]}
    )
    for parent, name in ((shot, "anim"), (other_shot, "light")):
        session.create(
            "Task",
            {"name": name, "parent": parent, "project": shot["project"], "type": task_type},
        )
    session.commit()
    recent = RecentTasks(tmp_path / "app" / "recent_tasks.json")
    mark = embedded_server.log_mark()

    every = task_choices(session, project, recent=recent)

    assert len(embedded_server.requests_since(mark)) == 1  # one request for the tree
    assert [c.path for c in every] == [
        f"{project}/sq010/sh010/anim", comp, f"{project}/sq010/sh020/light"
    ]
    assert project in fetch_projects(session)

    recent.remember(session.server_url, f"{project}/sq010/sh020/light")
    recent.remember(session.server_url, comp)
    assert [c.path for c in task_choices(session, project, recent=recent)][:2] == [
        comp, f"{project}/sq010/sh020/light"
    ]  # newest first
    assert RecentTasks(recent.path).load(session.server_url + "/")[0] == comp  # kept on disk
    assert RecentTasks(recent.path).load("http://other.invalid") == []  # per server

    templates = ["jobs/{project}/{sequence}/{shot}/{task}/**"]
    scene = tmp_path / "jobs" / project / "sq010" / "sh010" / "anim" / "work" / "v001.blend"
    narrowed = task_choices(session, None, str(scene), templates, recent=recent)
    assert narrowed[0].path == f"{project}/sq010/sh010/anim" and narrowed[0].from_scene
    assert [c.path for c in narrowed[1:]] == [comp, f"{project}/sq010/sh020/light"]
    assert narrowed[1].recent and narrowed[0].label == "sh010 / anim"
    # a scene path no template matches: no narrowing, no error
    assert len(task_choices(session, project, str(tmp_path / "x.blend"), templates, recent)) == 3


def test_a_broken_recent_file_is_ignored_not_fatal(tmp_path):
    path = tmp_path / "recent_tasks.json"
    path.write_text("{not json", encoding="utf-8")
    recent = RecentTasks(path)
    assert recent.load("http://127.0.0.1:1") == []
    recent.remember("http://127.0.0.1:1", "p/sq/sh/comp")
    assert recent.load("http://127.0.0.1:1") == ["p/sq/sh/comp"]
