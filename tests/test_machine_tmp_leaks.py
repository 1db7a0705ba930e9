"""The check that a test's processes left nothing in the machine's /tmp finds what they leave
there: the PulseAudio folder a Blender with a new HOME and no TMPDIR links to, and a farm bundle
naming the test's scene (the machine's /tmp stood in for by a folder of this test's)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support import machine_tmp


def test_a_pulse_folder_outside_the_test_is_found_and_one_inside_is_not(tmp_path: Path) -> None:
    outside = tmp_path / "home" / ".config" / "pulse"
    outside.mkdir(parents=True)
    os.symlink("/tmp/pulse-XXXXXXXXXXXX", outside / "m-runtime")  # only a link: nothing made
    inside = tmp_path / "user" / "home" / "pulse"  # XDG_CONFIG_HOME = HOME
    inside.mkdir(parents=True)
    os.symlink(tmp_path / "user" / "tmp" / "pulse-YYYYYYYYYYYY", inside / "m-runtime")

    found = machine_tmp.pulse_folders_outside(tmp_path)

    assert found == [f"{outside / 'm-runtime'} -> /tmp/pulse-XXXXXXXXXXXX"]


def test_a_farm_bundle_naming_the_tests_scene_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine, test = tmp_path / "machine", tmp_path / "test"
    monkeypatch.setattr(machine_tmp, "MACHINE_TMP", machine)
    for name, scene in (("ft_dcc-farm-job-a", test / "sh010.blend"), ("ft_dcc-farm-job-b", "/x")):
        (machine / name).mkdir(parents=True)
        (machine / name / "scenes.json").write_text(json.dumps([{"path": str(scene)}]))

    assert machine_tmp.farm_bundles_naming(test) == [str(machine / "ft_dcc-farm-job-a")]
    with pytest.raises(AssertionError, match="ft_dcc-farm-job-a"):
        machine_tmp.assert_nothing_left_in_machine_tmp(test)
