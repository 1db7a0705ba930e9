"""A Nuke Write that rendered scene-linear EXRs is published through the script's OCIO config,
the Write's colourspace and the Viewer's display/view: per chart patch, the review
movie shows what OpenColorIO's own CPU processor computes, within 2 code values."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import nuke
import pytest
from ft_dcc_hosts.nuke.host import NukeHost
from support import download_component, make_task, open_session
from support.colour import SIZE, movie_patches, ocio_expected, worst_difference, write_exr_chart

from ft_dcc.publish import publish

ocio = pytest.importorskip(
    "PyOpenColorIO", reason="the colour extra (opencolorio) is not installed"
)

VIEW, DISPLAY, COLORSPACE = "Un-tone-mapped", "sRGB - Display", "ACEScg"


def exr_script(tmp_path: Path) -> object:
    """A saved script in OCIO mode with a custom config file, an EXR Write whose frames
    1001-1003 are on disk (the chart), and a Viewer looking through the view."""
    config = tmp_path / "config.ocio"
    config.write_text(
        ocio.Config.CreateFromFile("ocio://studio-config-latest").serialize(), encoding="utf-8"
    )
    root = nuke.root()
    root["first_frame"].setValue(1001)
    root["last_frame"].setValue(1003)
    root["fps"].setValue(24)
    root["format"].setValue(nuke.addFormat(f"{SIZE[0]} {SIZE[1]} chart"))
    root["colorManagement"].setValue("OCIO")
    root["OCIO_config"].setValue("custom")
    root["customOCIOConfigPath"].setValue(config.as_posix())
    write_exr_chart(tmp_path / "render", frames=3)
    write = nuke.nodes.Write(file=(tmp_path / "render" / "chart.####.exr").as_posix())
    write["file_type"].setValue("exr")
    write["colorspace"].setValue(COLORSPACE)
    write.setInput(0, nuke.nodes.Constant(color=[0.18, 0.18, 0.18, 1.0]))
    viewer = nuke.nodes.Viewer()
    viewer["viewerProcess"].setValue(f"{VIEW} ({DISPLAY})")
    nuke.scriptSaveAs((tmp_path / "chart.nk").as_posix())
    return write, config


def test_reused_exr_write_goes_through_the_scripts_ocio(
    tmp_path: Path, embedded_server, server_env
) -> None:
    server_env(embedded_server)
    write, config = exr_script(tmp_path)
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", 1001, 1003, 24)

    report = publish(NukeHost(write, just_rendered=True), task=task, session=session)
    assert report.ok, report.format()

    component = report.component_ids["ftrackreview-mp4"]
    movie = download_component(embedded_server, component, tmp_path / "review.mp4")
    expected = ocio_expected(str(config), COLORSPACE, DISPLAY, VIEW)
    found = movie_patches(movie)
    assert worst_difference(found, expected) <= 2, list(zip(found, expected))
    rows = session.query(f'select key, value from Metadata where parent_id is "{component}"')
    capture = json.loads({r["key"]: r["value"] for r in rows.all()}["ft_dcc_capture"])
    assert capture["colour"]["config"] == config.as_posix()
    assert (capture["colour"]["display"], capture["colour"]["view"]) == (DISPLAY, VIEW)
    assert capture["colour"]["input_colorspace"] == COLORSPACE


def test_unknown_viewer_view_fails_in_validate(tmp_path: Path, embedded_server, server_env) -> None:
    server_env(embedded_server)
    write, _config = exr_script(tmp_path)
    nuke.allNodes("Viewer")[0]["viewerProcess"].setValue(f"Filmic ({DISPLAY})")
    nuke.scriptSave()
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", 1001, 1003, 24)
    report = publish(NukeHost(write, just_rendered=True), task=task, session=session)
    assert not report.ok
    failed = [s for s in report.steps if not s.ok]
    assert [s.label for s in failed] == ["Review colour (OCIO)"]
    assert "'Filmic'" in failed[0].error and "'Un-tone-mapped'" in report.format()
