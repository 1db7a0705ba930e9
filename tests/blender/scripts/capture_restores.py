"""Capture with BlenderHost and prove every scene setting is restored, also after an error.

Args: OUT_DIR. Prints RESULT {...}.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402
from ft_dcc_hosts.blender.host import BlenderHost  # noqa: E402
from snapshot import differences, snapshot  # noqa: E402

from ft_dcc.exceptions import CaptureError  # noqa: E402

out_dir = Path(sys.argv[sys.argv.index("--") + 1])
scene = demo_scene.build(
    frame_start=1, frame_end=12, fps=24, fps_base=1.001, width=640, height=360, save=False
)
# settings an artist may have that the capture must change and put back
bpy.ops.object.camera_add(location=(5, -5, 3))
bpy.context.object.name = "altCam"
scene.camera = bpy.data.objects["altCam"]
scene.render.engine = "CYCLES"
scene.render.filepath = "//renders/final_"
scene.render.resolution_percentage = 50
scene.render.image_settings.file_format = "JPEG"
scene.render.use_stamp = False
scene.render.film_transparent = True
scene.frame_current = 5
scene.display.shading.light = "FLAT"

host = BlenderHost()
before = snapshot(scene)
spec = host.default_spec(camera="shotCam", frame_start=3, frame_end=8)
progress = []
during = []


def record(stage, fraction, message):
    progress.append([stage, fraction, message])
    if "frame 3/" in message:  # mid-capture: the playblast settings are in force
        during.extend(differences(before, snapshot(scene)))


result = host.capture(spec, out_dir / "ok", record)
after = snapshot(scene)

# an error after Blender rendered: the frames vanish, so the capture fails inside its guard


def sabotage(stage, fraction, message):
    if fraction >= 1.0 or "frame 6/6" in message:
        for path in (out_dir / "broken").glob("*.png"):
            path.unlink()


error = ""
try:
    host.capture(spec, out_dir / "broken", sabotage)
except CaptureError as exc:
    error = str(exc)
after_error = snapshot(scene)

no_camera = ""
try:
    host.capture(BlenderHost().default_spec(camera="nope"), out_dir / "nocam")
except CaptureError as exc:
    no_camera = str(exc)

print(
    "RESULT "
    + json.dumps(
        {
            "spec": spec.to_dict(),
            "fps": str(host.fps()),
            "resolution": list(host.resolution()),
            "cameras": host.cameras(),
            "files": [str(p) for p in result.files],
            "first_frame": result.first_frame,
            "progress": progress,
            "diff": differences(before, after),
            "diff_during": during,
            "diff_after_error": differences(before, after_error),
            "error": error,
            "no_camera": no_camera,
            "settings_compared": len(before),
        }
    )
)
