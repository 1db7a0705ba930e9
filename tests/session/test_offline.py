"""Session parts that need no server: settings, auth, caches, key makers, plugins, expressions,
operation batching and upload streaming."""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import List

import pytest
import requests

from ft_dcc.exceptions import ConfigurationError
from ft_dcc.session import (
    FileCache,
    LayeredCache,
    MemoryCache,
    ObjectKeyMaker,
    SerialisedCache,
    Session,
    SessionAuthentication,
    StringKeyMaker,
)
from ft_dcc.session.operations import (
    CreateEntityOperation,
    DeleteEntityOperation,
    UpdateEntityOperation,
    build_batch,
)
from ft_dcc.session.plugins import discover
from ft_dcc.session.query import key_condition, quote, split_paging
from ft_dcc.session.upload import FileSlice, _Progress

KEY = "secret-key-0123456789"


class ListeningSocket:
    """A real TCP listener that counts connection attempts (to prove no network was used)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.accepted = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def no_ftrack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FTRACK_SERVER", "FTRACK_API_KEY", "FTRACK_APIKEY", "FTRACK_API_USER"):
        monkeypatch.delenv(name, raising=False)


def test_missing_settings_named_with_how_to_set_them(no_ftrack_env: None) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Session()
    text = str(caught.value)
    for name in ("FTRACK_SERVER", "FTRACK_API_KEY", "FTRACK_API_USER"):
        assert name in text
    assert "export" in text
    assert "server_url=" in text and "api_key=" in text and "api_user=" in text


def test_missing_key_raises_before_any_connection(
    no_ftrack_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = ListeningSocket()
    try:
        monkeypatch.setenv("FTRACK_SERVER", listener.url)
        monkeypatch.setenv("FTRACK_API_USER", "someone")
        with pytest.raises(ConfigurationError) as caught:
            Session()
        assert "FTRACK_API_KEY" in str(caught.value)
        assert "FTRACK_SERVER (" not in str(caught.value)  # only the missing one is named
    finally:
        listener.close()
    assert listener.accepted == 0


def test_server_url_must_be_http(no_ftrack_env: None) -> None:
    with pytest.raises(ConfigurationError, match="http"):
        Session(server_url="ftrack.example.com", api_key=KEY, api_user="u")


def test_authentication_adds_headers_and_hides_key() -> None:
    auth = SessionAuthentication(KEY, "jane")
    prepared = requests.Request("POST", "http://127.0.0.1:1/api", auth=auth).prepare()
    assert prepared.headers["ftrack-api-key"] == KEY
    assert prepared.headers["ftrack-user"] == "jane"
    assert KEY not in repr(auth) and KEY not in str(auth)
    assert "jane" in repr(auth)
    assert auth == SessionAuthentication(KEY, "jane")
    assert auth != SessionAuthentication("other", "jane")


# -- caches -------------------------------------------------------------------------------------
def test_layered_cache_always_has_memory_on_top_and_back_fills(tmp_path: Path) -> None:
    file_cache = FileCache(str(tmp_path / "cache.dbm"))
    layered = LayeredCache([file_cache])
    assert isinstance(layered.caches[0], MemoryCache)
    layered.set("k", {"a": 1})
    assert file_cache.get("k") == {"a": 1}  # writes go to every layer
    layered.memory.clear()
    assert layered.get("k") == {"a": 1}  # read from the file layer ...
    assert layered.memory.get("k") == {"a": 1}  # ... and copied into memory
    layered.remove("k")
    with pytest.raises(KeyError):
        layered.get("k")


def test_file_cache_persists_between_instances(tmp_path: Path) -> None:
    path = str(tmp_path / "cache.dbm")
    FileCache(path).set_many([("a", [1, 2]), ("b", "two")])
    reopened = FileCache(path)
    assert reopened.get("a") == [1, 2]
    assert sorted(reopened.keys()) == ["a", "b"]
    reopened.remove("a")
    with pytest.raises(KeyError):
        reopened.get("a")


def test_serialised_cache_encodes_and_decodes() -> None:
    inner = MemoryCache()
    cache = SerialisedCache(inner, encode=lambda v: v * 2, decode=lambda v: v // 2)
    cache.set("x", 21)
    assert inner.get("x") == 42
    assert cache.get("x") == 21


def test_key_makers() -> None:
    assert StringKeyMaker().key(("AssetVersion", ["v-1"])) == "('AssetVersion', ['v-1'])"
    maker = ObjectKeyMaker()
    assert maker.key({"b": 1, "a": 2}) == maker.key({"a": 2, "b": 1})
    assert maker.key({"a": 1}) != maker.key({"a": 2})


# -- plugins ------------------------------------------------------------------------------------
def test_plugins_discovered_recursively_with_arguments(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "a_plugin.py").write_text(
        "def register(session, flavour=None):\n    session.calls.append(('a', flavour))\n"
    )
    (tmp_path / "nested" / "b_plugin.py").write_text(
        "def register(session, **kwargs):\n    session.calls.append(('b', kwargs))\n"
    )
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    failing = tmp_path / "failing.py"
    failing.write_text("def register(session):\n    raise ValueError('nope')\n")
    (tmp_path / "not_python.txt").write_text("def register(session): pass")

    class Target:
        calls: List[object] = []

    target = Target()
    with caplog.at_level(logging.WARNING, logger="ft_dcc.session.plugins"):
        registered = discover([str(tmp_path), ""], target, {"flavour": "mint", "extra": 1})
    assert ("a", "mint") in target.calls  # 'extra' left out: register does not take it
    assert ("b", {"flavour": "mint", "extra": 1}) in target.calls
    assert len(registered) == 2
    assert str(broken) in caplog.text and str(failing) in caplog.text


# -- expressions --------------------------------------------------------------------------------
def test_quote_and_key_conditions() -> None:
    assert quote('say "hi"') == '"say \\"hi\\""'
    assert quote(None) == "none" and quote(True) == "true" and quote(3) == "3"
    assert key_condition(["id"], [["a"]]) == 'id is "a"'
    assert key_condition(["id"], [["a"], ["b"]]) == 'id in ("a", "b")'
    assert (
        key_condition(["parent_id", "key"], [["p", "k"], ["q", "l"]])
        == '(parent_id is "p" and key is "k") or (parent_id is "q" and key is "l")'
    )


def test_split_paging_only_at_the_end() -> None:
    assert split_paging("select id from Task offset 5 limit 10") == ("select id from Task", 5, 10)
    assert split_paging("select id from Task limit 3") == ("select id from Task", None, 3)
    text = 'Task where name is "limit 5"'
    assert split_paging(text) == (text, None, None)


# -- operation batching -------------------------------------------------------------------------
def test_build_batch_folds_and_drops() -> None:
    a, b, c = object(), object(), object()
    ops = [
        CreateEntityOperation("Task", ["a"], {"id": "a", "name": "one"}, a),
        UpdateEntityOperation("Task", ["a"], "name", "one", "two", a),
        CreateEntityOperation("Note", ["b"], {"id": "b"}, b),
        DeleteEntityOperation("Note", ["b"], b),
        UpdateEntityOperation("Shot", ["c"], "name", None, "x", c),
        UpdateEntityOperation("Shot", ["c"], "description", None, "y", c),
        DeleteEntityOperation("Shot", ["d"], object()),
    ]
    payloads, carried = build_batch(ops, lambda value: value)
    assert [p["action"] for p in payloads] == ["create", "update", "delete"]
    assert payloads[0]["entity_data"] == {"__entity_type__": "Task", "id": "a", "name": "two"}
    assert payloads[1]["entity_data"] == {
        "__entity_type__": "Shot",
        "name": "x",
        "description": "y",
    }
    assert payloads[2] == {"action": "delete", "entity_type": "Shot", "entity_key": ["d"]}
    assert [len(group) for group in carried] == [2, 2, 1]


# -- upload streaming ---------------------------------------------------------------------------
def test_file_slice_streams_a_range_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 1000)
    reads: List[int] = []
    file_slice = FileSlice(str(path), 1000, 5000, reads.append).open()
    assert len(file_slice) == 5000
    chunks = []
    while True:
        chunk = file_slice.read(1024)
        if not chunk:
            break
        assert len(chunk) <= 1024
        chunks.append(chunk)
    file_slice.close()
    assert b"".join(chunks) == path.read_bytes()[1000:6000]
    assert sum(reads) == 5000


def test_progress_never_goes_back_on_retry() -> None:
    seen: List[float] = []
    tracker = _Progress(100, lambda stage, fraction, message: seen.append(fraction), "f")
    tracker._last_call = -1.0
    tracker.read(60)
    tracker.start_attempt()  # a retry starts from zero again
    tracker.read(30)
    tracker.read(40)
    tracker.done()
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert seen[0] == 0.6


def test_progress_sums_parts_sent_in_parallel() -> None:
    seen: List[float] = []
    tracker = _Progress(100, lambda stage, fraction, message: seen.append(fraction), "f")
    tracker.report_on_read = False
    tracker.read(20, part=1)
    tracker.read(30, part=2)
    assert seen == []  # workers only count; the caller's thread reports
    tracker.report(force=True)
    tracker.finish_part(50, part=1)
    tracker.report(force=True)
    tracker.done()
    assert seen == [0.5, 0.8, 1.0]
