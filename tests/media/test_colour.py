"""OCIO display transforms in the encoder: names checked against the config, frames streamed
through OpenColorIO's CPU processor, values above 1.0 kept until the view transform."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.colour import movie_patches, ocio_expected, worst_difference, write_exr_chart

from ft_dcc.exceptions import ColourError, MediaError
from ft_dcc.media import encode_review, probe_movie
from ft_dcc.media.colour import (
    ColourSettings,
    ColourTransform,
    load_config,
    ocio_module,
    resolve_colour,
)
from ft_dcc.media.ocio_types import (
    OcioColorSpace,
    OcioConfig,
    OcioConfigClass,
    OcioCPUProcessor,
    OcioModule,
    OcioProcessor,
)

pytest.importorskip("PyOpenColorIO", reason="the colour extra (opencolorio) is not installed")

STUDIO = "ocio://studio-config-latest"


def test_defaults_come_from_the_config_and_ocio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCIO", raising=False)
    resolved = resolve_colour(ColourSettings())
    assert resolved.config == STUDIO
    assert resolved.input_colorspace == "ACEScg"  # the config's scene_linear role
    assert resolved.display == "sRGB - Display"
    monkeypatch.setenv("OCIO", "ocio://cg-config-latest")
    assert resolve_colour(ColourSettings()).config == "ocio://cg-config-latest"
    # an alias or a role resolves to the colourspace's own name
    assert resolve_colour(ColourSettings(input_colorspace="scene_linear")).input_colorspace


def test_the_ocio_protocols_name_members_the_real_module_has() -> None:
    """OCIO ships no type information: ft_dcc.media.ocio_types declares what we call, and a
    member missing from the real module (misspelt, or gone in a new OCIO) fails here."""
    ocio = ocio_module()
    config = load_config(STUDIO)
    display = config.getDefaultDisplay()
    view = ocio.DisplayViewTransform(
        src="ACEScg", display=display, view=config.getDefaultView(display)
    )
    processor = config.getProcessor(view)
    assert isinstance(ocio, OcioModule) and isinstance(ocio.Config, OcioConfigClass)
    assert isinstance(config, OcioConfig)
    assert isinstance(config.getColorSpace("ACEScg"), OcioColorSpace)
    assert isinstance(processor, OcioProcessor)
    assert isinstance(processor.getDefaultCPUProcessor(), OcioCPUProcessor)


def test_unknown_view_lists_the_views_of_that_display() -> None:
    with pytest.raises(ColourError) as raised:
        resolve_colour(ColourSettings(config=STUDIO, display="sRGB - Display", view="Filmic"))
    assert "'Filmic'" in raised.value.message
    assert "'Un-tone-mapped'" in raised.value.hint and "'Raw'" in raised.value.hint


def test_unreadable_config_file(tmp_path: Path) -> None:
    broken = tmp_path / "config.ocio"
    broken.write_text("ocio_profile_version: 2\nroles: [not, a, mapping\n", encoding="utf-8")
    with pytest.raises(ColourError, match="cannot be read"):
        resolve_colour(ColourSettings(config=str(broken)))


def test_encode_applies_the_view_transform_per_patch(tmp_path: Path) -> None:
    pattern = write_exr_chart(tmp_path / "chart", frames=2)
    settings = ColourSettings(config=STUDIO, input_colorspace="ACEScg", display="sRGB - Display",
                              view="ACES 2.0 - SDR 100 nits (Rec.709)")  # fmt: skip
    movie = encode_review(
        pattern, tmp_path / "r.mp4", 24, colour=ColourTransform(resolve_colour(settings))
    )
    assert probe_movie(movie).frame_count == 2
    expected = ocio_expected(STUDIO, "ACEScg", settings.display, settings.view)
    for frame in (0, 1):
        found = movie_patches(movie, frame)
        assert worst_difference(found, expected) <= 2, list(zip(found, expected))


def test_unreadable_frame_fails_and_writes_nothing(tmp_path: Path) -> None:
    pattern = write_exr_chart(tmp_path / "chart", frames=3)
    (tmp_path / "chart" / "chart.1002.exr").write_bytes(b"not an exr")
    colour = ColourTransform(resolve_colour(ColourSettings(config=STUDIO)))
    with pytest.raises(MediaError):
        encode_review(pattern, tmp_path / "out" / "r.mp4", 24, colour=colour)
    assert not list((tmp_path / "out").iterdir())
