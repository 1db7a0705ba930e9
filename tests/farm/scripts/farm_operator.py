"""Click "Publish on the farm" in the installed add-on (the bpy module, in the background).

Args: a JSON file with blend, zip, task, review_session, comment. Prints RESULT {returned,
bundle, reports}.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
demo_scene.build(options["blend"], frame_start=1001, frame_end=1012, fps=25, width=320, height=180)
# the bpy module (5.0) installs the add-on as an extension
bpy.ops.extensions.package_install_files(
    filepath=options["zip"], repo="user_default", enable_on_install=True
)
settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]
settings.comment = options["comment"]
try:
    returned = sorted(bpy.ops.ftdcc.publish_on_farm())
except RuntimeError as exc:  # an operator that reports an ERROR raises in background mode
    returned = ["CANCELLED"]
    print("ERROR", exc)
result = {"returned": returned, "bundle": bpy.context.window_manager.ftdcc_farm_bundle}
print("RESULT " + json.dumps(result))
