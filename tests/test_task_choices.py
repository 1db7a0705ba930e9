"""The task picker's data: project -> shot -> task from the real embedded server in
one request, recent first (kept in the app-data folder, per server), narrowed to the scene's
shot when its path matches the settings' path templates."""

from __future__ import annotations

import uuid
from typing import cast

from support import make_task, open_session
from support.entities import add_picker_tasks

from ft_dcc.host.task_choices import RecentTasks, fetch_projects, task_choices


def test_the_picker_lists_tasks_recent_first_and_narrows_by_the_scene_path(
    embedded_server, tmp_path
):
    session = open_session(embedded_server, tmp_path)
    project = f"pick{uuid.uuid4().hex[:8]}"
    comp = make_task(session, project)  # <project>/sq010/sh010/comp
    add_picker_tasks(session, project)  # sh010/anim, sh020/light
    recent = RecentTasks(tmp_path / "app" / "recent_tasks.json")
    mark = embedded_server.log_mark()

    every = task_choices(session, project, recent=recent)

    assert len(embedded_server.requests_since(mark)) == 1  # one request for the tree
    assert [c.path for c in every] == [
        f"{project}/sq010/sh010/anim",
        comp,
        f"{project}/sq010/sh020/light",
    ]
    assert project in fetch_projects(session)

    recent.remember(session.server_url, f"{project}/sq010/sh020/light")
    recent.remember(session.server_url, comp)
    assert [c.path for c in task_choices(session, project, recent=recent)][:2] == [
        comp,
        f"{project}/sq010/sh020/light",
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


def test_a_host_job_remembers_the_task_only_when_published(tmp_path, monkeypatch):
    from unittest.mock import NonCallableMock

    from ft_dcc.host.job import PublishJob
    from ft_dcc.publish.common.report import PublishReport
    from ft_dcc.publish.host_port import Host
    from ft_dcc.publish.request.request import PublishRequest

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("FTRACK_SERVER", "http://127.0.0.1:9")
    outcomes = {
        "p/sq/sh/queued": PublishReport(ok=True, queued=True, task="p/sq/sh/queued"),
        "p/sq/sh/failed": PublishReport(ok=False, task="p/sq/sh/failed"),
        "p/sq/sh/comp": PublishReport(ok=True, task="p/sq/sh/comp"),
    }
    for report in outcomes.values():
        unused = cast(Host, NonCallableMock(spec=Host))  # the stand-in publish never asks it
        request = PublishRequest(task=report.task)
        PublishJob(unused, request, publish=lambda *_a, r=report, **_k: r).run()
    assert RecentTasks().load("http://127.0.0.1:9") == ["p/sq/sh/comp"]


def test_the_panel_lines_name_the_profile_and_each_key_origin(tmp_path):
    from ft_dcc.host.settings_view import panel_lines
    from ft_dcc.settings.document import parse
    from ft_dcc.settings.resolve import Filters, Source, resolve

    document = parse(
        {"settings": {"paths.task_templates": ["{project}/{shot}/{task}/**"]},
         "profiles": [{"name": "maya anim", "hosts": ["maya"],
                       "settings": {"naming.review_session": "Anim {date}"}}]},
        "file /studio/ft_dcc.json",
    )  # fmt: skip
    source = Source("studio", "file /studio/ft_dcc.json", document)
    lines = panel_lines(resolve([source], Filters(host="maya")))
    assert lines == [
        "Profile 'maya anim'", "from file ft_dcc.json", "task_templates: studio",
        "review_session: profile", "resolution: default",
    ]  # fmt: skip
    assert panel_lines(resolve([source], Filters(host="nuke")))[:2] == [
        "No profile applies",
        "values: studio",
    ]
