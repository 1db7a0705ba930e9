"""The bundle of any batch is valid Open Job Description, and ready for a farm that moves files:
200 scenes through ``openjd check``; ``farm submit`` checks its bundle with openjd-model before
writing it; asset references list what a Blender scene links; the job environment names the DCC;
a bundle runs under ``openjd run`` with path-mapping rules, its scenes read where the rules say."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from farm_helpers import (
    copies,
    farm_env,
    openjd_run,
    session_versions,
    submit,
    template,
    validate,
)
from support import make_sequence, make_task, open_session
from support.cli import run_ft_dcc
from support.machine_tmp import assert_nothing_left_in_machine_tmp

from ft_dcc.exceptions import FarmError

SCRIPTS = Path(__file__).with_name("scripts")


@pytest.mark.slow  # 200 scenes' settings and shot reads
def test_a_200_scene_bundle_is_valid_open_job_description(
    embedded_server: Any, tmp_path: Path
) -> None:
    env = farm_env(embedded_server, tmp_path)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farm200{uuid.uuid4().hex[:6]}", 1001, 1001, fps=25)
    first = make_sequence(tmp_path / "one", frames=1, start=1001, name="one")
    scenes = copies(Path(str(first) % 1001), tmp_path / "render", 200)
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, *map(str, scenes), "--task", task, "--review-session", "Big")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    checked = run_ft_dcc(["check", str(bundle / "template.json")], timeout=600, module="openjd")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    job = validate(bundle)  # openjd-model: its parameter values make a job
    assert len(job.steps) == 400
    definitions = template(bundle)["parameterDefinitions"]
    assert len(definitions) < 50  # the same handful whatever the number of scenes
    listed = json.loads((bundle / "scenes.json").read_text())["scenes"]
    assert [entry["path"] for entry in listed] == [str(scene) for scene in scenes]
    assert {entry["task"] for entry in listed} == {task}


def test_submit_checks_its_bundle_with_openjd_model_before_writing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ft_dcc.farm import bundle as bundle_module
    from ft_dcc.farm.model import FarmBatch, FarmScene

    scene = FarmScene(index=1, path=tmp_path / "a.####.png", host="files", task="p/s/sh/t",
                      asset_stem="a", key="k", parts=1)  # fmt: skip
    batch = FarmBatch(scenes=[scene], review_session_name="Dailies")
    real = bundle_module.job_template

    def broken(batch: FarmBatch) -> Any:  # what OpenJD refuses: a step named twice
        made = real(batch)
        made["steps"].append(dict(made["steps"][0]))
        return made

    monkeypatch.setattr(bundle_module, "job_template", broken)
    with pytest.raises(FarmError) as refused:
        bundle_module.write_bundle(batch, tmp_path / "bundle")
    assert "not valid Open Job Description" in refused.value.message
    assert not (tmp_path / "bundle").exists()


@pytest.mark.slow
@pytest.mark.blender
@pytest.mark.skipif(shutil.which("blender") is None, reason="needs the blender executable")
def test_asset_references_and_environment_name_what_a_blender_scene_needs(
    embedded_server: Any, tmp_path: Path
) -> None:
    """A scene linking a library and an image: both travel as job attachments (found without
    Blender); the job environment names Blender; DCC steps ask for memory."""
    env = farm_env(embedded_server, tmp_path, HOME=str(tmp_path))
    first = make_sequence(tmp_path / "tex", frames=1, start=1, name="wood")
    texture = tmp_path / "assets" / "wood.png"
    texture.parent.mkdir()
    shutil.copyfile(str(first) % 1, texture)
    library, scene = tmp_path / "assets" / "props.blend", tmp_path / "sh010_anim.blend"
    subprocess.run(
        ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "-P",
         str(SCRIPTS / "link_scene.py"), "--", str(library), str(texture), str(scene)],
        env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmref{uuid.uuid4().hex[:6]}", 1001, 1012, fps=24)
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(scene), "--task", task, "--review-session", "refs")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 linked file(s) travel with it" in done.stdout
    assert_nothing_left_in_machine_tmp(tmp_path)
    validate(bundle)
    references = json.loads((bundle / "asset_references.json").read_text())["assetReferences"]
    assert sorted(references["inputs"]["filenames"]) == sorted(
        [str(bundle / "scenes.json"), str(scene), str(library), str(texture)]
    )
    assert references["outputs"]["directories"] == [str(bundle / "work")]
    made = template(bundle)
    (environment,) = made["jobEnvironments"]
    on_enter = environment["script"]["actions"]["onEnter"]["args"]
    assert "--blender={{Param.BlenderExecutable}}" in on_enter
    names = {p["name"] for p in made["parameterDefinitions"]}
    assert {"BlenderExecutable", "CondaPackages"} <= names
    assert made["steps"][0]["hostRequirements"]["amounts"][0]["name"] == "amount.worker.memory"


@pytest.mark.slow
def test_a_bundle_runs_with_path_mapping_rules_from_where_the_node_sees_the_files(
    embedded_server: Any, tmp_path: Path
) -> None:
    """Submitted under /studio, run where the files are under /node: the job's PATH parameters
    and the scene paths in its scenes file are mapped by the session's rules."""
    studio, node = tmp_path / "studio", tmp_path / "node"
    env = farm_env(embedded_server, tmp_path)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmmap{uuid.uuid4().hex[:6]}", 1001, 1006, fps=25)
    frames = make_sequence(studio / "render", frames=6, start=1001, name="sh010_comp")
    name = f"Farm mapped {uuid.uuid4().hex[:6]}"
    done = submit(env, studio / "bundle", str(frames), "--task", task, "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    studio.rename(node)  # the node mounts the same storage elsewhere
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"version": "pathmapping-1.0", "path_mapping_rules": [
        {"source_path_format": "POSIX", "source_path": str(studio),
         "destination_path": str(node)},
    ]}))  # fmt: skip
    run = openjd_run(node / "bundle", env, "--path-mapping-rules", f"file://{rules}")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"of {node / 'render'}" in run.stdout  # the capture read the mapped path
    assert len(session_versions(embedded_server, tmp_path, name)) == 1
    assert (node / "bundle" / "work").is_dir() and not studio.exists()


def test_a_node_without_the_jobs_dcc_fails_the_environment_with_one_line(
    embedded_server: Any, tmp_path: Path
) -> None:
    from ft_dcc_hosts.blender.demo_template import write_demo_scene

    env = farm_env(embedded_server, tmp_path)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmenv{uuid.uuid4().hex[:6]}", 1001, 1048, fps=24)
    scene = write_demo_scene(tmp_path / "sh010_anim.blend")
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(scene), "--task", task, "--review-session", "env")
    assert done.returncode == 0, done.stdout + done.stderr
    mark = embedded_server.log_mark()
    run = openjd_run(bundle, env, "--job-param", f"BlenderExecutable={tmp_path / 'no-blender'}")
    assert run.returncode != 0
    (line,) = [s for s in run.stdout.splitlines() if "cannot run the job's blender" in s]
    assert "no-blender" in line and "Traceback" not in run.stdout, run.stdout[-3000:]
    assert "captured part" not in run.stdout
    assert embedded_server.requests_since(mark) == []


def test_path_mapping_rules_map_whole_path_parts_the_longest_source_first(tmp_path: Path) -> None:
    from ft_dcc.farm.scenes_file import load_scene

    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"version": "pathmapping-1.0", "path_mapping_rules": [
        {"source_path_format": "POSIX", "source_path": "/mnt/jobs", "destination_path": "/a"},
        {"source_path_format": "POSIX", "source_path": "/mnt/jobs/demo", "destination_path": "/b"},
        {"source_path_format": "WINDOWS", "source_path": "J:\\jobs", "destination_path": "/c"},
    ]}))  # fmt: skip
    scenes = tmp_path / "scenes.json"
    paths = ["/mnt/jobs/demo/sh010.blend", "/mnt/jobs/other/sh020.blend",
             "/mnt/jobsite/sh030.blend", "J:\\jobs\\sh040.blend"]  # fmt: skip
    scenes.write_text(json.dumps({"scenes": [
        {"index": i, "path": p, "task": f"t{i}"} for i, p in enumerate(paths, start=1)
    ]}))  # fmt: skip
    mapped = [load_scene(str(scenes), i, str(rules)) for i in range(1, 5)]
    assert mapped == [
        (Path("/b/sh010.blend"), "t1"), (Path("/a/other/sh020.blend"), "t2"),
        (Path("/mnt/jobsite/sh030.blend"), "t3"), (Path("/c/sh040.blend"), "t4"),
    ]  # fmt: skip
    assert load_scene(str(scenes), 1, None)[0] == Path(paths[0])  # no rules: as written
    with pytest.raises(FarmError):
        load_scene(str(scenes), 9, None)
