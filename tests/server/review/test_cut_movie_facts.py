"""The conformed cut's inputs without a probe each (no HTTP: the
:class:`~ft_dcc.server.review.cut.cut_conform.Conformer` on a file store of real movies made by
ffmpeg): each movie's size is the one the server recorded (``ftr_meta``, in the cut plan's
segment) when the movie's own MP4 header says the same, and its sound is what the header says;
a recorded size the header does not confirm, none recorded, or a file that is no MP4 is probed
with ffmpeg as before (and a movie ffmpeg cannot read still fails the build, naming its item)."""

from __future__ import annotations

import subprocess
import types
from pathlib import Path
from typing import Any, Dict, List

import imageio_ffmpeg
import pytest
from support.waiting import wait_until

import ft_dcc.media
from ft_dcc.server.review.cut.cut_conform import FAILED, READY, Conformer
from ft_dcc.server.review.cut.movie_facts import Tracks, known_facts, mp4_tracks


def _movie(path: Path, sound: bool) -> Path:
    audio = ["-f", "lavfi", "-i", "sine=f=440:d=2"] if sound else []
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
         "testsrc=s=160x90:r=24:d=2", *audio, "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-shortest", "-movflags", "+faststart", "-f", "mp4", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    files = tmp_path_factory.mktemp("cut_facts") / "files"
    files.mkdir()
    _movie(files / "sound", sound=True)
    _movie(files / "silent", sound=False)
    (files / "garbage").write_bytes(b"not a movie at all")
    return types.SimpleNamespace(root=files, path_for=lambda ident: files / ident)


def _segment(movie_id: str, width: Any = 160, height: Any = 90, at: int = 0) -> Dict[str, Any]:
    return {"object_id": f"o{movie_id}{at}", "movie_id": movie_id, "movie": "/m",
            "label": f"sh{at:03d} comp v001", "source_in": 1003, "source_out": 1013,
            "record_in": 86400 + 10 * at, "record_out": 86410 + 10 * at, "frame_in": 1001,
            "frame_end": 1049, "movie_rate": 24, "refused": "", "movie_width": width,
            "movie_height": height}  # fmt: skip


def test_the_header_says_the_size_and_the_sound(store: Any) -> None:
    assert mp4_tracks(store.path_for("sound")) == Tracks((160, 90), True)
    assert mp4_tracks(store.path_for("silent")) == Tracks((160, 90), False)
    assert mp4_tracks(store.path_for("garbage")) is None
    assert mp4_tracks(store.path_for("none such")) is None


def test_a_recorded_size_is_used_only_when_the_header_confirms_it(store: Any) -> None:
    assert known_facts(store.path_for("sound"), _segment("sound")) == (160, 90, True)
    assert known_facts(store.path_for("silent"), _segment("silent")) == (160, 90, False)
    for width, height in ((320, 180), (None, None), ("160", "90"), (10**6, 90)):
        assert known_facts(store.path_for("sound"), _segment("sound", width, height)) is None
    assert known_facts(store.path_for("garbage"), _segment("garbage")) is None


def _probes(monkeypatch: pytest.MonkeyPatch) -> List[Path]:
    """Every movie the conform probes from now on (the real probe still runs)."""
    probed: List[Path] = []
    real = ft_dcc.media.probe_movie

    def probe(path: Any) -> Any:
        probed.append(Path(path))
        return real(path)

    monkeypatch.setattr(ft_dcc.media, "probe_movie", probe)
    return probed


def _build(store: Any, session: str, segments: List[Dict[str, Any]]) -> Any:
    conformer = Conformer(store)
    plan = {"rate": 24.0, "revision": 1, "segments": segments}
    conformer.state(session, plan)
    wait_until(lambda: not conformer._queued or None, "the build", timeout=300)
    return conformer.state(session, plan)


def test_a_cut_of_recorded_movies_is_built_without_a_probe(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    probed = _probes(monkeypatch)
    segments = [_segment("sound", at=0), _segment("silent", at=1), _segment("sound", at=2)]
    assert _build(store, "recorded", segments).state == READY
    assert probed == []


def test_a_movie_whose_recorded_size_is_not_confirmed_is_probed(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    probed = _probes(monkeypatch)
    segments = [_segment("sound", at=0), _segment("silent", 640, 360, at=1)]
    assert _build(store, "lied", segments).state == READY
    assert probed == [store.path_for("silent")]


def test_a_movie_that_is_no_movie_is_probed_and_fails_the_build_naming_its_item(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    probed = _probes(monkeypatch)
    state = _build(store, "broken", [_segment("sound", at=0), _segment("garbage", at=7)])
    assert state.state == FAILED
    assert "sh007 comp v001: its review movie cannot be read" in state.error
    assert probed == [store.path_for("garbage")]
