"""The fake ``nuke`` is honest: its signatures are the types-nuke stubs', and a wrong knob,
argument, callback registration or render set-up fails the way Nuke fails."""

from __future__ import annotations

import importlib.util
import inspect
import json
import subprocess
import sys
from pathlib import Path

import nuke
import pytest
from nuke_helpers import FAKES

sys.path.insert(0, str(FAKES))
from foundry_signatures import FOUNDRY_SIGNATURES

SNAPSHOT = json.loads((FAKES / "nuke" / "stub_signatures.json").read_text(encoding="utf-8"))
CLASSES = {
    "Node": nuke.Node,
    "Root": nuke.Root,
    "Knob": nuke.Knob,
    "Boolean_Knob": nuke.Boolean_Knob,
    "Format": nuke.Format,
    "Menu": nuke.Menu,
    "MenuItem": nuke.MenuItem,
    "ProgressTask": nuke.ProgressTask,
    "ViewerWindow": nuke.ViewerWindow,
}


#: overloads the fake does not model (it is stricter there: such a call is a TypeError)
UNMODELLED = {"execute": [1]}  # execute(nameOrNode, frameRangeSet, ...): a FrameRanges object


def shape(function) -> list:
    """``[name, kind, has_default]`` per parameter, as in the snapshot."""
    return [
        [p.name, p.kind.name, p.default is not inspect.Parameter.empty]
        for p in inspect.signature(function).parameters.values()
    ]


def is_untyped(overload: list) -> bool:
    """A stub of ``(*args, **kwargs)`` (after ``self``) says nothing to check."""
    kinds = [kind for name, kind, _d in overload if name != "self"]
    return kinds == ["VAR_POSITIONAL", "VAR_KEYWORD"]


def check_against(fake, overloads: list, label: str) -> None:
    if all(is_untyped(o) for o in overloads):
        # the stub says nothing: Foundry's documented signature is checked instead
        overloads = FOUNDRY_SIGNATURES[label]
    if len(overloads) == 1:
        assert shape(fake) == overloads[0], label
        return
    # overloads: the fake must accept each overload's required arguments by position
    signature = inspect.signature(fake)
    for overload in overloads:
        required = [n for n, kind, has_default in overload if not has_default and n != "self"]
        placeholders = [None] * len(required)
        if "self" in signature.parameters:
            placeholders.insert(0, None)
        signature.bind(*placeholders)
    names = {n for overload in overloads for n, _k, _d in overload}
    assert set(signature.parameters) <= names, label


@pytest.mark.parametrize("name", sorted(SNAPSHOT["functions"]))
def test_module_function_signature_is_the_stubs(name):
    overloads = SNAPSHOT["functions"][name]
    modelled = [o for i, o in enumerate(overloads) if i not in UNMODELLED.get(name, [])]
    check_against(getattr(nuke, name), modelled, name)


@pytest.mark.parametrize("dotted", sorted(SNAPSHOT["methods"]))
def test_method_signature_is_the_stubs(dotted):
    cls, method = dotted.split(".")
    check_against(getattr(CLASSES[cls], method), SNAPSHOT["methods"][dotted], dotted)


def test_execute_is_the_first_stub_overload_exactly():
    assert shape(nuke.execute) == SNAPSHOT["functions"]["execute"][0]
    assert inspect.signature(nuke.execute).parameters["incr"].default == 1
    assert inspect.signature(nuke.execute).parameters["continueOnError"].default is False


stubs_installed = importlib.util.find_spec("nuke-stubs") is not None


@pytest.mark.skipif(not stubs_installed, reason="types-nuke is not installed")
def test_snapshot_matches_the_installed_stubs():
    done = subprocess.run(
        [sys.executable, str(FAKES / "generate_signatures.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not stubs_installed, reason="types-nuke is not installed")
def test_every_public_name_of_the_fake_exists_in_the_stubs():
    import ast

    spec = importlib.util.find_spec("nuke-stubs")
    folder = Path(next(iter(spec.submodule_search_locations)))
    names = set()
    for stub in folder.glob("*.pyi"):
        for node in ast.parse(stub.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.AnnAssign):
                names.add(node.target.id)
    public = {name for name in dir(nuke) if not name.startswith("_")}
    assert public - names == set()


# -- module surface -----------------------------------------------------------------------------
def test_unknown_module_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        nuke.executee  # noqa: B018


def test_execute_refuses_wrong_keywords_and_float_frames(comp):
    with pytest.raises(TypeError):
        nuke.execute(comp, first=1001, last=1012)
    with pytest.raises(TypeError):  # root first_frame is a float: it must be converted
        nuke.execute(comp, nuke.root()["first_frame"].value(), 1012)
    assert not Path(comp["file"].value()).parent.exists()


def test_callback_registration_is_checked_like_nuke():
    def callback():
        pass

    with pytest.raises(TypeError):
        nuke.addAfterRender(callback, nodeClas="Write")
    with pytest.raises(ValueError, match="callable"):
        nuke.addAfterRender("callback()")
    with pytest.raises(ValueError, match="dictionary"):
        nuke.addAfterRender(callback, kwargs=[("a", 1)])
    assert inspect.signature(nuke.addAfterRender).parameters["nodeClass"].default == "Write"
    assert inspect.signature(nuke.addOnCreate).parameters["nodeClass"].default == "*"


def test_registering_a_callback_twice_runs_it_once(comp):
    seen = []

    def after():
        seen.append(nuke.thisNode().name())

    nuke.addAfterRender(after, nodeClass="Write")
    nuke.addAfterRender(after, nodeClass="Write")
    nuke.execute(comp, 1001, 1001)
    assert seen == ["Write1"]
    nuke.removeAfterRender(after, nodeClass="Write")
    nuke.execute(comp, 1001, 1001)
    assert seen == ["Write1"]


# -- knobs --------------------------------------------------------------------------------------
def test_missing_knob_is_a_name_error_and_knob_returns_none(comp):
    with pytest.raises(NameError, match="knob bogus does not exist"):
        comp["bogus"]
    assert comp.knob("bogus") is None
    with pytest.raises(NameError):
        nuke.nodes.Write(bogus=1)


def test_file_type_knobs_appear_only_for_their_type():
    write = nuke.nodes.Write(file="/tmp/x.####.png")
    assert write.knob("_jpeg_quality") is None and write.knob("mov64_codec") is None
    write["file_type"].setValue("jpeg")
    assert write["_jpeg_quality"].value() == 0.75
    write["file_type"].setValue("mov")
    assert write.knob("_jpeg_quality") is None
    assert write.knob("mov64_codec") is not None
    write["file_type"].setValue("exr")
    assert write.knob("datatype") is not None and write.knob("mov64_codec") is None
    with pytest.raises(ValueError):
        write["file_type"].setValue("webp")


def test_root_values_are_nuke_types():
    root = nuke.root()
    root["first_frame"].setValue(1001)
    assert root["first_frame"].value() == 1001.0
    assert isinstance(root["first_frame"].value(), float)
    assert root["name"].value() == ""
    assert root.name() == "Root"
    assert root["format"].value().width() == 1920


def test_a_deleted_node_is_detached(comp):
    nuke.delete(comp)
    with pytest.raises(ValueError, match="not attached"):
        comp.name()
    assert nuke.toNode("Write1") is None


# -- execute ------------------------------------------------------------------------------------
def test_execute_needs_a_connected_input(tmp_path):
    write = nuke.nodes.Write(file=(tmp_path / "x.####.png").as_posix())
    with pytest.raises(RuntimeError, match="input"):
        nuke.execute(write, 1, 2)
    assert list(tmp_path.iterdir()) == []


def test_execute_needs_the_folder_unless_create_directories(tmp_path):
    constant = nuke.nodes.Constant()
    write = nuke.nodes.Write(file=(tmp_path / "new" / "x.####.png").as_posix(), inputs=[constant])
    with pytest.raises(RuntimeError, match="No such file or directory"):
        nuke.execute(write, 1, 2)
    write["create_directories"].setValue(True)
    nuke.execute(write, 1, 2)
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["x.0001.png", "x.0002.png"]


def test_without_padding_every_frame_overwrites_one_file(tmp_path):
    constant = nuke.nodes.Constant()
    write = nuke.nodes.Write(file=(tmp_path / "x.png").as_posix(), inputs=[constant])
    nuke.execute(write, 1, 5)
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]


def test_execute_writes_real_png_and_jpeg_frames(tmp_path):
    nuke.root()["format"].setValue(nuke.addFormat("64 32 tiny"))
    constant = nuke.nodes.Constant(color=[1, 0, 0, 1])
    png = nuke.nodes.Write(file=(tmp_path / "a.%04d.png").as_posix(), inputs=[constant])
    jpeg = nuke.nodes.Write(file=(tmp_path / "b.####.jpg").as_posix(), inputs=[constant])
    nuke.execute(png, 7, 8)
    nuke.execute(jpeg, 7, 7)
    header = (tmp_path / "a.0007.png").read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 64
    assert (tmp_path / "a.0008.png").is_file()
    assert (tmp_path / "b.0007.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_render_callbacks_run_in_nuke_order_with_this_node_and_frame(comp):
    events = []

    def record(kind):
        def callback():
            events.append((kind, nuke.thisNode().name(), nuke.frame()))

        return callback

    for kind in ("BeforeRender", "BeforeFrameRender", "AfterFrameRender", "AfterRender"):
        getattr(nuke, "add" + kind)(record(kind), nodeClass="Write")
    comp["beforeRender"].setValue("import nuke\nnuke.thisNode()['label'].setValue('knob ran')")
    nuke.execute(comp, 1001, 1002)
    assert [e[0] for e in events] == [
        "BeforeRender",
        "BeforeFrameRender",
        "AfterFrameRender",
        "BeforeFrameRender",
        "AfterFrameRender",
        "AfterRender",
    ]
    assert {e[1] for e in events} == {"Write1"}
    assert [e[2] for e in events[1:5]] == [1001, 1001, 1002, 1002]
    assert comp["label"].value() == "knob ran"


def test_an_exception_in_a_callback_aborts_the_render(comp):
    after = []

    def fail():
        if nuke.frame() == 1002:
            raise OSError("disk full")

    nuke.addBeforeFrameRender(fail, nodeClass="Write")
    nuke.addAfterRender(lambda: after.append(True), nodeClass="Write")
    with pytest.raises(RuntimeError, match="disk full"):
        nuke.execute(comp, 1001, 1003)
    folder = Path(comp["file"].value()).parent
    assert [p.name for p in folder.iterdir()] == ["shot.1001.png"]
    assert after == []


def test_a_render_cannot_start_inside_a_render(comp):
    nuke.addAfterRender(lambda: nuke.execute(nuke.thisNode(), 1001, 1001), nodeClass="Write")
    with pytest.raises(RuntimeError, match="in progress"):
        nuke.execute(comp, 1001, 1001)


# -- modes, dialogs, log ------------------------------------------------------------------------
def test_terminal_mode_has_no_menus_and_prints_messages(capsys):
    assert nuke.GUI is False
    with pytest.raises(RuntimeError):
        nuke.menu("Nodes")
    nuke.message("hello")
    assert capsys.readouterr().out == "hello\n"


def test_gui_mode_menus_and_progress_tasks():
    nuke._fake.reset(gui=True)
    assert nuke.GUI is True
    item = nuke.menu("Nodes").addCommand("ftrack/Do it", lambda: None)
    assert nuke.menu("Nodes").findItem("ftrack/Do it") is item
    task = nuke.ProgressTask("work")
    with pytest.raises(TypeError):
        task.setProgress(0.5)
    task.setProgress(50)
    assert nuke._fake.state.progress_tasks == [task]


def test_the_call_log_records_calls_and_reset_clears_it(comp):
    nuke.toNode("Write1")
    assert nuke._fake.state.called("toNode")[-1].args == ("Write1",)
    nuke._fake.reset()
    assert nuke._fake.state.calls == [] and nuke.allNodes() == []


def test_the_validation_script_for_real_nuke_agrees_with_the_fake():
    """``validate_fake_against_nuke.py`` (run it under a real ``nuke -t``) finds no difference
    when the fake is the Nuke it checks: the fake matches its own cited tables."""
    done = subprocess.run(
        [
            sys.executable,
            str(FAKES / "nuke_terminal.py"),
            "-t",
            str(FAKES / "validate_fake_against_nuke.py"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == {"differences": []}


def test_nuke_refuses_worker_threads_but_runs_their_calls_on_the_main_thread(comp):
    import threading

    outcome = {}
    name = comp.name()

    def worker():
        try:
            nuke.root()
        except RuntimeError as error:
            outcome["direct"] = str(error)
        outcome["marshalled"] = nuke.executeInMainThreadWithResult(lambda: nuke.root().name())
        nuke.executeInMainThread(outcome.__setitem__, ("later", name))

    thread = threading.Thread(target=worker)
    thread.start()
    nuke._fake.state.run_main_thread(until=lambda: "later" in outcome, timeout=30)
    thread.join()
    assert "worker thread" in outcome["direct"]
    assert outcome["marshalled"].endswith("shot.nk")
    assert outcome["later"] == "Write1"


def test_filename_evaluates_tcl_and_keeps_or_replaces_the_padding(comp, tmp_path):
    comp["file"].setValue("[file dirname [value root.name]]/out/x.####.png")
    assert nuke.filename(comp) == f"{tmp_path.as_posix()}/out/x.####.png"
    nuke.frame(1005)
    assert nuke.filename(comp, nuke.REPLACE) == f"{tmp_path.as_posix()}/out/x.1005.png"
    assert nuke.filename(nuke.toNode("Constant1")) is None
    comp["file"].setValue("[python nuke.script_directory()]/x.png")
    with pytest.raises(NotImplementedError):  # the fake says what it does not model
        nuke.filename(comp)


def test_every_untyped_stub_has_a_documented_signature():
    """No case of the signature check checks nothing: each ``(*args, **kwargs)`` stub is
    replaced by the signature Foundry documents (``foundry_signatures.py`` cites where)."""
    untyped = [name for name, o in SNAPSHOT["functions"].items() if all(map(is_untyped, o))]
    untyped += [name for name, o in SNAPSHOT["methods"].items() if all(map(is_untyped, o))]
    assert sorted(untyped) == sorted(FOUNDRY_SIGNATURES)
    assert len(SNAPSHOT["functions"]) + len(SNAPSHOT["methods"]) == 73
