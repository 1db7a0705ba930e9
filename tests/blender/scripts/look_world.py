"""A headless capture of a scene without a world, whose 3D view shows a custom red background:
the render shows the red (through a world made for the capture), and afterwards the scene has no
world again and the made world is gone. Args: OUT_DIR. Prints RESULT {...}."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent.parent))

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402
from ft_dcc_hosts.blender.host import BlenderHost  # noqa: E402

out_dir = Path(sys.argv[sys.argv.index("--") + 1])
scene = demo_scene.build(frame_start=1, frame_end=2, fps=25, width=160, height=90, save=False)
scene.world = None
for window in bpy.context.window_manager.windows:
    for area in window.screen.areas:
        if area.type == "VIEW_3D":
            area.spaces.active.shading.background_type = "VIEWPORT"
            area.spaces.active.shading.background_color = (0.5, 0.0, 0.0)
worlds_before = sorted(w.name for w in bpy.data.worlds)
host = BlenderHost(use_viewport=False)
spec = host.default_spec()
result = host.capture(spec, out_dir)
image = bpy.data.images.load(str(result.files[0]))
corner = list(image.pixels[(89 * 160 + 2) * 4 : (89 * 160 + 2) * 4 + 3])  # top-left
print(
    "RESULT "
    + json.dumps(
        {
            "corner": corner,
            "shading": spec.display["shading"],
            "world_after": scene.world.name if scene.world else None,
            "worlds_before": worlds_before,
            "worlds_after": sorted(w.name for w in bpy.data.worlds),
        }
    )
)
