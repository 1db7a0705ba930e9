"""With the bpy module (no window): what Esc stops, and what it no longer can.

Args: OUT_DIR. Prints RESULT {...}.
"""

import json
import sys
from pathlib import Path

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()
from ft_dcc_hosts.blender import demo_scene  # noqa: E402
from ft_dcc_hosts.blender.host import BlenderHost  # noqa: E402
from ft_dcc_hosts.blender.modal_capture import (  # noqa: E402
    CancellableProgress,
    SteppedCaptureHost,
    ViewportCapture,
)

from ft_dcc.exceptions import FtDccError  # noqa: E402
from ft_dcc.host.job import MainThreadCalls  # noqa: E402

out_dir = Path(sys.argv[sys.argv.index("--") + 1])
demo_scene.build(frame_start=1, frame_end=4, width=64, height=36, save=False)
seen = []


def record(stage, fraction, message=""):
    seen.append(stage)


def attempt(function, *args):
    try:
        function(*args)
    except FtDccError as exc:
        return str(exc)
    return None


def stages(host, calls):
    progress = CancellableProgress(record, host)
    return [attempt(progress, stage, 0.5) for stage in calls]


result = {"background": bpy.app.background}
host = SteppedCaptureHost(BlenderHost(), MainThreadCalls())
result["streams_frames"] = host.streams_frames
result["before_cancel"] = stages(host, ["collect", "capture", "encode"])
host.cancel()
result["after_cancel"] = stages(host, ["publish", "validate", "capture", "encode", "thumbnail"])
late = SteppedCaptureHost(BlenderHost(), MainThreadCalls())
progress = CancellableProgress(record, late)
result["late"] = [attempt(progress, "upload", 0.1)]
late.cancel()
result["late"] += [attempt(progress, stage, 0.5) for stage in ("encode", "integrate", "review")]
result["seen"] = seen
spec = BlenderHost().default_spec()
result["cancelled_capture"] = attempt(host.capture, spec, out_dir / "cancelled")
result["written"] = sorted(p.name for p in out_dir.rglob("*") if p.is_file())
result["no_window"] = attempt(ViewportCapture(spec, out_dir / "nowindow").begin)
print("RESULT " + json.dumps(result), flush=True)
