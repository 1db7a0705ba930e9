"""``colour.look`` applies an OCIO look before the view: scene-linear EXR frames published by
``ft-dcc publish`` through a config whose look halves every value come out half as bright as
without it, and a look the config does not have is refused before anything is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from keys_helpers import publish_with, review_movie
from support import count_entities, make_task, open_session
from support.colour import GREYS, movie_patches, write_exr_chart

pytest.importorskip("PyOpenColorIO", reason="the colour extra (opencolorio) is not installed")

#: a display whose one view shows the linear values as they are, and a look that halves them
CONFIG = """ocio_profile_version: 2
roles:
  scene_linear: linear
  default: linear
file_rules:
  - !<Rule> {name: Default, colorspace: default}
displays:
  Screen:
    - !<View> {name: Raw, colorspace: linear}
looks:
  - !<Look>
    name: half
    process_space: linear
    transform: !<CDLTransform> {slope: [0.5, 0.5, 0.5]}
colorspaces:
  - !<ColorSpace>
    name: linear
    isdata: false
"""
TOLERANCE = 2  # 8-bit code values after the H.264 4:2:0 round trip


def greys(patches: List[List[int]]) -> List[int]:
    return [rgb[0] for rgb in patches[: len(GREYS)]]


def test_colour_look_is_applied_before_the_view(fresh_server: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.ocio"
    config.write_text(CONFIG, encoding="utf-8")
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1003, fps=24)
    chart = write_exr_chart(tmp_path / "chart")
    given = (str(chart), "--task", task, "--fps", "24")
    base: Dict[str, Any] = {"colour.ocio_config": str(config)}

    plain = publish_with(fresh_server, tmp_path, "plain", base, *given)
    looked = publish_with(fresh_server, tmp_path, "look", dict(base, **{"colour.look": "half"}),
                          *given)  # fmt: skip
    plain_greys = greys(movie_patches(review_movie(fresh_server, plain, tmp_path / "p.mp4")))
    look_greys = greys(movie_patches(review_movie(fresh_server, looked, tmp_path / "l.mp4")))
    for grey, without, with_look in zip(GREYS, plain_greys, look_greys):
        if grey <= 1.0:  # above 1.0 the Raw view clips both
            assert abs(without - round(grey * 255)) <= TOLERANCE, (grey, without)
            assert abs(with_look - round(grey * 0.5 * 255)) <= TOLERANCE, (grey, with_look)

    with open_session(fresh_server, tmp_path) as check:
        before = count_entities(check)
    refused = publish_with(fresh_server, tmp_path, "bad", dict(base, **{"colour.look": "halve"}),
                           *given, ok=False)  # fmt: skip
    assert any("look 'halve' is not in the OCIO config" in e and "'half'" in e
               for e in refused["errors"]), refused["errors"]  # fmt: skip
    with open_session(fresh_server, tmp_path) as check:
        assert count_entities(check) == before
