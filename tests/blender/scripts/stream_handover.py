"""Hand frames over as Blender writes them: BlenderHost.capture_streaming in background mode.

Args: OUT_DIR. Prints RESULT {...}: each handed-over frame's name, whether it was complete
and whether the next frame existed yet when it was handed over.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent.parent))

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402
from ft_dcc_hosts.blender.host import BlenderHost  # noqa: E402

out_dir = Path(sys.argv[sys.argv.index("--") + 1])
demo_scene.build(frame_start=1, frame_end=6, fps=25, width=160, height=90, save=False)
host = BlenderHost(use_viewport=False)
handed = []


def frame_written(path):
    number = int(path.stem.split("_")[-1])
    following = path.with_name(f"frame_{number + 1:04d}{path.suffix}")
    handed.append(
        {
            "name": path.name,
            "complete": path.read_bytes()[-8:-4] == b"IEND",  # a PNG's last chunk
            "next_exists": following.exists(),
        }
    )


result = host.capture_streaming(host.default_spec(), out_dir, frame_written)
print(
    "RESULT "
    + json.dumps(
        {
            "streams": host.streams_frames,
            "handed": handed,
            "files": [Path(p).name for p in result.files],
        }
    )
)
