"""Scene-linear frames are published display-referred through OpenColorIO.

A float EXR chart (stepped grey ramp 0..8.0 with 18% grey, colours above 1.0) is published with
the files host to the real embedded server; the downloaded review movie, decoded by ffmpeg,
shows per patch what OpenColorIO's own CPU processor computes for the same
config/colourspace/display/view, within 2 code values after the YUV round trip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import count_entities, download_component, make_sequence, make_task, open_session
from support.colour import movie_patches, ocio_expected, worst_difference, write_exr_chart

from ft_dcc.host.files import FilesHost
from ft_dcc.media.colour import ColourSettings
from ft_dcc.publish import publish

pytest.importorskip("PyOpenColorIO", reason="the colour extra (opencolorio) is not installed")

STUDIO = "ocio://studio-config-latest"
TOLERANCE = 2  # 8-bit code values, after the H.264 4:2:0 round trip


def _publish(server, tmp_path: Path, host: FilesHost, **kwargs):
    session = open_session(server, tmp_path)
    task = make_task(session, fstart=1001, fend=1003, fps=24)
    report = publish(host, task=task, session=session, work_dir=tmp_path / "work", **kwargs)
    return session, report


def _colour_host(pattern: Path, settings: ColourSettings, **kwargs) -> FilesHost:
    return FilesHost(pattern, fps=24, colour=settings, **kwargs)


def _capture_meta(session, report) -> dict:
    component = report.component_ids["ftrackreview-mp4"]
    rows = session.query(f'select key, value from Metadata where parent_id is "{component}"')
    return json.loads({r["key"]: r["value"] for r in rows.all()}["ft_dcc_capture"])


@pytest.mark.parametrize(
    ("settings", "expected_names"),
    [
        (None, ("ACEScg", "sRGB - Display", "ACES 2.0 - SDR 100 nits (Rec.709)")),
        (
            ColourSettings(
                config=STUDIO,
                input_colorspace="Linear Rec.709 (sRGB)",
                display="sRGB - Display",
                view="Un-tone-mapped",
            ),
            ("Linear Rec.709 (sRGB)", "sRGB - Display", "Un-tone-mapped"),
        ),
    ],
    ids=["config-defaults", "linear-srgb-untonemapped"],
)
def test_linear_exr_chart_matches_ocio_per_patch(
    embedded_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings, expected_names
) -> None:
    monkeypatch.delenv("OCIO", raising=False)
    pattern = write_exr_chart(tmp_path / "render")
    host = FilesHost(pattern, fps=24) if settings is None else _colour_host(pattern, settings)
    session, report = _publish(embedded_server, tmp_path, host)
    assert report.ok, str(report)

    movie = download_component(
        embedded_server, report.component_ids["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    colorspace, display, view = expected_names
    expected = ocio_expected(STUDIO, colorspace, display, view)
    found = movie_patches(movie)
    assert worst_difference(found, expected) <= TOLERANCE, list(zip(found, expected))
    assert len({tuple(p) for p in expected}) > 15  # the chart really spans many values

    colour = _capture_meta(session, report)["colour"]
    assert colour["config"] == STUDIO
    assert (colour["input_colorspace"], colour["display"], colour["view"]) == expected_names


@pytest.mark.parametrize(
    ("settings", "named", "valid"),
    [
        (ColourSettings(display="Nope Display"), "'Nope Display'", "'sRGB - Display'"),
        (ColourSettings(view="Nope View"), "'Nope View'", "'Un-tone-mapped'"),
        (ColourSettings(input_colorspace="nope-cs"), "'nope-cs'", "'ACEScg'"),
        (ColourSettings(config="/nowhere/config.ocio"), "/nowhere/config.ocio", "ocio://"),
    ],
    ids=["display", "view", "colorspace", "config"],
)
def test_bad_colour_names_fail_in_validate_with_the_valid_names(
    embedded_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings, named, valid
) -> None:
    monkeypatch.delenv("OCIO", raising=False)
    pattern = write_exr_chart(tmp_path / "render")
    check = open_session(embedded_server, tmp_path / "check")
    before = count_entities(check)
    _session, report = _publish(embedded_server, tmp_path, _colour_host(pattern, settings))
    assert not report.ok
    failed = [s for s in report.steps if not s.ok]
    assert [s.label for s in failed] == ["Review colour (OCIO)"], [s.label for s in failed]
    assert named in failed[0].error and valid in str(report)
    assert not list((tmp_path / "work").rglob("*.mp4"))  # nothing encoded
    assert count_entities(check) == before  # nothing on the server


def test_display_referred_png_is_left_alone(embedded_server, tmp_path: Path) -> None:
    sequence = make_sequence(tmp_path / "frames", frames=3, start=1001)
    session, report = _publish(embedded_server, tmp_path, FilesHost(sequence, fps=24))
    assert report.ok, str(report)
    assert "colour" not in _capture_meta(session, report)
