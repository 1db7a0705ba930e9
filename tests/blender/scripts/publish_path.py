"""Click the add-on's "Publish for review" (the operator's invoke, as the panel's button does)
with the calls of the project's code recorded (``tests/publish/call_path.py``) up to the HTTP
send of the batch that creates the AssetVersion.

Args: a JSON file with blend, zip, task, review_session, out (where the stacks go).
Prints RESULT {...}.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))
sys.path.insert(0, str(HERE.parent.parent / "publish"))

import http.client  # noqa: E402

import bpy  # noqa: E402
from call_path import StackRecorder  # noqa: E402

from ft_dcc.host.pythonpath import ensure_hosts_package  # noqa: E402

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
demo_scene.build(options["blend"], frame_start=1001, frame_end=1006, fps=25, width=160,
                 height=90)  # fmt: skip
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]

SEND = http.client.HTTPConnection.request.__code__


def sends_the_version(frame, event, arg):
    """The HTTP send of the batch that creates an AssetVersion."""
    if frame.f_code is not SEND:
        return False
    body = frame.f_locals.get("body") or b""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return '"create"' in text and '"AssetVersion"' in text


recorder = StackRecorder(sends_the_version)
recorder.install()
try:
    returned = bpy.ops.ftdcc.publish("INVOKE_DEFAULT")
finally:
    recorder.uninstall()
recorder.save(Path(options["out"]))
wm = bpy.context.window_manager
result = {"returned": sorted(returned), "status": wm.ftdcc_status,
          "report": json.loads(wm.ftdcc_report or "null")}  # fmt: skip
print("RESULT " + json.dumps(result), flush=True)
