"""An input with no rate of its own takes the shot's fps (and its handles count as the shot's
range) from ftrack; a real mismatch names the fix that fits the input."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from support import make_movie, make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish


def _rate(report) -> Fraction:
    num, den = report.capture["fps"].split("/")
    return Fraction(int(num), int(den))


def test_a_sequence_without_fps_takes_the_shots_fps(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1006, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence), task=task_path, session=session)
    session.close()
    assert report.ok and not report.queued, str(report)
    assert _rate(report) == 25, report.capture
    assert not any("differs" in w for w in report.warnings), report.warnings


def test_a_sequence_without_fps_takes_the_configured_default_and_says_so(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1006, fps=None)  # the default: 25
    project = session.query(f'Project where name is "{task_path.split("/")[0]}"').one()
    project["custom_attributes"]["fps"] = 23.976  # hierarchical: the project's rate
    session.commit()
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence), task=task_path, session=session)
    session.close()
    assert report.ok, str(report)
    assert _rate(report) == Fraction(24000, 1001), report.capture


def test_handles_around_the_shot_range_are_the_shots_range(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1003, fend=1006, fps=25)
    shot = session.query(f'Shot where project.name is "{task_path.split("/")[0]}"').one()
    shot["custom_attributes"]["handles"] = 2
    session.commit()
    sequence = make_sequence(tmp_path / "frames", frames=8, start=1001)  # 1001-1008
    report = publish(FilesHost(sequence), task=task_path, session=session)
    session.close()
    assert report.ok, str(report)
    assert (report.capture["frame_start"], report.capture["frame_end"]) == (1001, 1008)


def test_a_movie_at_another_rate_is_refused_naming_fps_flags_not_a_scene(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1006, fps=24)
    movie = make_movie(tmp_path / "plate.mov", frames=6)  # 25 fps
    report = publish(FilesHost(movie), task=task_path, session=session)
    session.close()
    assert not report.ok
    text = str(report)
    assert "scene" not in text, text
    assert "--fps 24" in text and "--fps 25" in text, text


def test_a_sequences_range_refusal_does_not_speak_of_a_scene(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1024, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence), task=task_path, session=session)
    session.close()
    assert not report.ok
    text = str(report)
    assert "scene" not in text and "--frames 1001-1006" in text, text


def test_a_movie_of_the_shots_length_is_numbered_from_the_shots_start(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1006, fps=25)
    movie = make_movie(tmp_path / "plate.mov", frames=6)  # frames 1-6 of its own
    report = publish(FilesHost(movie), task=task_path, session=session)
    session.close()
    assert report.ok, str(report)
    assert (report.capture["frame_start"], report.capture["frame_end"]) == (1001, 1006)
