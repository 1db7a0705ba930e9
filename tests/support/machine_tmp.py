"""What a test's processes must not leave in the machine's own temp folder (``/tmp``, not the
test's): a farm job bundle ``ft_dcc-farm-job-*`` naming the test's files, or a ``pulse-*``
folder the PulseAudio client of a Blender, Chromium or Firefox makes there when its HOME is new
and it has no TMPDIR (the link ``HOME/.config/pulse/<machine id>-runtime``, or
``XDG_CONFIG_HOME/pulse/...``, names that folder). Both are found from the test's own folder,
so other runs sharing the machine do not count."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

MACHINE_TMP = Path("/tmp")
# HOME/.config/pulse or XDG_CONFIG_HOME/pulse, HOME up to two folders down the test's folder
PULSE_LINKS = tuple(f"{down}{config}pulse/*-runtime"
                    for down in ("", "*/", "*/*/") for config in ("", ".config/"))  # fmt: skip


def pulse_folders_outside(folder: Path) -> List[str]:
    """The runtime folders the PulseAudio clients with a home in ``folder`` made outside it."""
    links = {link for pattern in PULSE_LINKS for link in folder.glob(pattern) if link.is_symlink()}
    targets = [(link, Path(os.readlink(link))) for link in sorted(links)]
    return [f"{link} -> {target}" for link, target in targets if folder not in target.parents]


def farm_bundles_naming(folder: Path) -> List[str]:
    """The farm job bundles in the machine's temp folder whose scenes are in ``folder``."""
    found = []
    for bundle in MACHINE_TMP.glob("ft_dcc-farm-job-*"):
        scenes = bundle / "scenes.json"
        if scenes.is_file() and str(folder) in scenes.read_text(errors="replace"):
            found.append(str(bundle))
    return found


def assert_nothing_left_in_machine_tmp(folder: Path) -> None:
    """Nothing a process of the test (whose files are in ``folder``) made is in ``/tmp``."""
    left = pulse_folders_outside(folder) + farm_bundles_naming(folder)
    assert left == [], f"left in the machine's {MACHINE_TMP} (give the process a TMPDIR): {left}"
