"""Burn-ins and the slate through a whole publish, on the real embedded server.

The template's fields take the publish's values (project/shot/task from the task, the version
the integrate step gets, the artist, the comment); a slate adds one frame before the first and
the recorded metadata maps it (``source_first_frame`` is the frame before the first), so the
review page's counter, the thumbnail and the sound stay on their frames. A bad template fails
in validate with the valid fields and nothing on the server; ``--burnin off`` leaves the
movie's frames bit-identical to a publish that never heard of burn-ins. The request budget
holds with burn-ins.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict

import pytest
from support import count_entities, download_component, make_sequence, make_task, open_session
from support.audio import CLICK_FRAME, FPS, click_wav, decoded_click
from test_publish_requests import MAX_API_REQUESTS, _count

from ft_dcc.cli import main
from ft_dcc.host.files import FilesHost
from ft_dcc.media.ffmpeg import ffmpeg_executable
from ft_dcc.media.probe import probe_movie
from ft_dcc.publish import publish
from ft_dcc.publish.offline.queue import MADE_AT_KEY
from ft_dcc.settings.templates import ENV_TODAY

FIRST, FRAMES = 1001, 6


def _template(tmp_path: Path, **data: Any) -> Path:
    path = tmp_path / "studio_burnin.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _publish(server: Any, tmp_path: Path, **kwargs: Any):
    session = open_session(server, tmp_path / "s")
    task = make_task(session, fstart=FIRST, fend=FIRST + FRAMES - 1, fps=25)
    frames = make_sequence(tmp_path / "frames", frames=FRAMES, start=FIRST)
    report = publish(
        FilesHost(frames, fps=25), task=task, session=session, work_dir=tmp_path / "work", **kwargs
    )
    return session, task, report


def _meta(session: Any, report: Any) -> Dict[str, Any]:
    component = report.component_ids["ftrackreview-mp4"]
    rows = session.query(f'select key, value from Metadata where parent_id is "{component}"')
    # every ft_dcc value is JSON but the time the work was made (a plain ISO date)
    return {
        r["key"]: r["value"] if r["key"] == MADE_AT_KEY else json.loads(r["value"])
        for r in rows.all()
    }


def _framemd5(movie: Path) -> list:
    out = subprocess.run(
        [
            ffmpeg_executable(),
            "-v",
            "error",
            "-i",
            str(movie),
            "-map",
            "0:v",
            "-f",
            "framemd5",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split(",")[-1].strip() for line in out.stdout.splitlines() if line[:1].isdigit()]


def test_slate_and_burnins_carry_the_publish_values(
    embedded_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a studio re-running a day's publishes into that day's dailies: the frames say that day too
    monkeypatch.setenv(ENV_TODAY, "2031-03-14")
    template = _template(
        tmp_path,
        mode="both",
        slate=["{shot} {task} v{version:03d} {artist}"],
        burnin={"top_left": "{project}", "bottom_right": "{frame}"},
    )
    session, task, report = _publish(
        embedded_server, tmp_path, burnin_template=str(template), comment="blocking"
    )
    assert report.ok, str(report)
    movie = download_component(
        embedded_server, report.component_ids["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    assert probe_movie(movie).frame_count == FRAMES + 1  # the slate is one added frame
    meta = _meta(session, report)
    capture = meta["ft_dcc_capture"]
    assert capture["slate_frames"] == 1
    assert capture["source_first_frame"] == FIRST - 1  # review frame 0 (the slate) is 1000
    assert capture["frame_start"] == FIRST and capture["source_last_frame"] == FIRST + FRAMES - 1
    values = capture["burnin"]["values"]
    project, _, shot, task_name = task.split("/")
    assert (values["project"], values["shot"], values["task"]) == (project, shot, task_name)
    assert values["version"] == report.version_number == 1
    assert values["comment"] == "blocking" and values["frame_range"] == "1001-1006"
    assert values["date"] == "2031-03-14" and report.review_session_name == "Dailies 2031-03-14"
    assert meta["ftr_meta"]["frameOut"] - meta["ftr_meta"]["frameIn"] == FRAMES + 1
    # the thumbnail (middle frame 1004) is the movie's frame 4 (slate + 3), not the slate
    thumb = capture["thumbnail_frame"]
    assert thumb == FIRST + FRAMES // 2
    assert _thumbnail_index(movie, tmp_path / "work" / "thumbnail.jpg") == thumb - FIRST + 1


def _thumbnail_index(movie: Path, thumbnail: Path) -> int:
    """The movie frame the thumbnail looks most like (decoded small, mean abs difference)."""
    import numpy

    def decode(path: Path) -> Any:
        raw = subprocess.run(
            [
                ffmpeg_executable(),
                "-v",
                "error",
                "-i",
                str(path),
                "-vf",
                "scale=64:48",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "gray",
                "-",
            ],
            capture_output=True,
            check=True,
        ).stdout
        return numpy.frombuffer(raw, dtype=numpy.uint8).reshape(-1, 48, 64).astype(float)

    frames, thumb = decode(movie), decode(thumbnail)[0]
    return int(numpy.argmin([numpy.abs(frame - thumb).mean() for frame in frames]))


def test_off_is_bit_identical_to_no_burnin(
    embedded_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, plain = _publish(embedded_server, tmp_path / "plain")
    template = _template(tmp_path, burnin={"top_left": "{shot}"})
    monkeypatch.setenv("FT_DCC_BURNIN_TEMPLATE", str(template))  # the studio's default
    _, _, off = _publish(embedded_server, tmp_path / "off", burnin="off")
    _, _, on = _publish(embedded_server, tmp_path / "on")  # the template alone turns it on
    movies = [
        download_component(
            embedded_server, r.component_ids["ftrackreview-mp4"], tmp_path / f"{i}.mp4"
        )
        for i, r in enumerate((plain, off, on))
    ]
    hashes = [_framemd5(movie) for movie in movies]
    assert len(hashes[0]) == FRAMES
    assert hashes[1] == hashes[0]
    assert hashes[2] != hashes[0] and len(hashes[2]) == FRAMES


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"burnin": {"top_left": "{shot} {lens}"}}, "unknown field {lens}"),
        (None, "cannot be read"),
    ],
)
def test_a_bad_template_fails_in_validate_with_nothing_written(
    embedded_server, tmp_path: Path, option: Any, message: str
) -> None:
    path = _template(tmp_path, **option) if option else tmp_path / "missing.json"
    session = open_session(embedded_server, tmp_path / "s")
    before = count_entities(session)
    _, _, report = _publish(embedded_server, tmp_path, burnin="on", burnin_template=str(path))
    assert not report.ok
    text = "\n".join(report.errors)
    assert message in text and "frame_range" in text and "focal_length" in text, text
    assert "Burn-ins and slate" in text
    after = count_entities(session)
    assert {k: after[k] - before[k] for k in after if k != "Project"}.get("AssetVersion") == 0
    assert not (tmp_path / "work" / "capture").exists()  # nothing was captured or encoded


def test_the_sound_follows_the_slate_and_the_budget_holds(
    embedded_server, ftrack_env: Any, tmp_path: Path
) -> None:
    session = open_session(ftrack_env, tmp_path / "s")
    task = make_task(session, fstart=FIRST, fend=FIRST + 23, fps=FPS)
    frames = make_sequence(tmp_path / "frames", frames=24, start=FIRST)
    wav = click_wav(tmp_path / "click.wav")
    report_file = tmp_path / "report.json"
    mark = embedded_server.log_mark()
    code = main(
        [
            "publish",
            str(frames),
            "--task",
            task,
            "--fps",
            str(FPS),
            "--burnin",
            "slate",
            "--audio",
            str(wav),
            "--report",
            str(report_file),
        ]
    )
    assert code == 0
    # `ft-dcc publish` reads the studio/project settings and the task on the publish's session
    assert _count(embedded_server.requests_since(mark))["api"] <= MAX_API_REQUESTS
    data = json.loads(report_file.read_text(encoding="utf-8"))
    movie = download_component(
        ftrack_env, data["component_ids"]["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    found = decoded_click(movie)
    assert found is not None
    click, length = found
    expected = (CLICK_FRAME + 1) / FPS  # the slate plays first: frame 1001 is movie frame 1
    assert abs(click - expected) <= 1 / FPS, (click, expected)
    assert abs(length - 25 / FPS) <= 1 / FPS


def test_the_options_reach_every_hosts_headless_request(tmp_path: Path, monkeypatch) -> None:
    from ft_dcc.cli import build_parser
    from ft_dcc.publish.commands import request_of
    from ft_dcc.publish.request.wire import request_from_json, request_to_json

    parser = build_parser()
    monkeypatch.chdir(tmp_path)
    args = parser.parse_args(["publish", "shot.ma", "--burnin", "slate",
                              "--burnin-template", "studio.json"])  # fmt: skip
    typed = request_of(args)
    assert (typed.burnin, typed.burnin_template) == ("slate", str(tmp_path / "studio.json"))
    assert request_from_json(request_to_json(typed)) == typed  # as the host reads it
    with pytest.raises(SystemExit):  # argparse refuses an unknown mode
        parser.parse_args(["publish", "shot.ma", "--burnin", "sometimes"])


def test_a_version_number_taken_by_a_racing_publish_is_a_warning() -> None:
    from types import SimpleNamespace

    from ft_dcc.publish.offline.integrate_step import _burnt_version_warnings

    scope = SimpleNamespace(item=SimpleNamespace(burnin_values={"version": 3}))
    taken = SimpleNamespace(version_number=4)
    (warning,) = _burnt_version_warnings([scope], [taken])  # type: ignore[list-item]
    assert "burn-in says v003" in warning and "numbered this version v004" in warning
    assert _burnt_version_warnings([scope], [SimpleNamespace(version_number=3)]) == []  # type: ignore[list-item]
    scope.item.burnin_values = {"version": "next"}  # offline: nothing to compare
    assert _burnt_version_warnings([scope], [taken]) == []  # type: ignore[list-item]
