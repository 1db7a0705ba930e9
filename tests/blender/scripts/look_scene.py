"""Build the demo scene with a non-default look in every 3D view and save it.

The look: Solid shading coloured by material (an orange material on the hero, a blue one on the
floor), studio light, cavity on, a custom near-black viewport background, while the world (what a
plain Workbench render shows) is a light grey. Args: the .blend path. Prints RESULT {...}.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent.parent))

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402

path = sys.argv[sys.argv.index("--") + 1]
scene = demo_scene.build(
    frame_start=1001, frame_end=1012, fps=25, width=320, height=180, save=False
)
for name, colour in (("hero", (1.0, 0.25, 0.02, 1.0)), ("floor", (0.05, 0.1, 0.3, 1.0))):
    material = bpy.data.materials.new(f"{name}_look")
    material.diffuse_color = colour
    bpy.data.objects[name].data.materials.append(material)
scene.world.color = (0.8, 0.8, 0.8)  # what the look must NOT show
shadings = []
for screen in bpy.data.screens:
    for area in screen.areas:
        if area.type == "VIEW_3D":
            shading = area.spaces.active.shading
            shading.type = "SOLID"
            shading.light = "STUDIO"
            shading.color_type = "MATERIAL"
            shading.show_cavity = True
            shading.background_type = "VIEWPORT"
            shading.background_color = (0.01, 0.012, 0.02)
            shadings.append(screen.name)
bpy.ops.wm.save_as_mainfile(filepath=path)
print("RESULT " + json.dumps({"views": shadings, "blender": bpy.app.version_string}))
