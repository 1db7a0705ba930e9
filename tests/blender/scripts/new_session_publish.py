"""Publish into a misspelt review session through the installed add-on, then confirm it is new.

Args: a JSON file with blend, zip, task, review_session. Prints RESULT {first, confirmed}: each
the operator's return and the add-on's LAST_RESULT (outcome, message, report).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent.parent))

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
demo_scene.build(options["blend"], frame_start=1001, frame_end=1006, fps=25, width=160, height=90)
if bpy.app.version >= (4, 2, 0):
    bpy.ops.extensions.package_install_files(
        filepath=options["zip"], repo="user_default", enable_on_install=True
    )
else:
    import addon_utils

    bpy.ops.preferences.addon_install(filepath=options["zip"])
    addon_utils.enable("ft_dcc_blender", default_set=True)
ops = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.ops"))]
settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]


def run(operator, **kwargs):
    try:
        returned = sorted(operator(**kwargs))
    except RuntimeError:  # an operator that reports an error raises in a script
        returned = ["CANCELLED"]
    last = dict(ops.LAST_RESULT)
    report = json.loads(last.pop("report") or "null") or {}
    last["review_session_name"] = report.get("review_session_name")
    return {"returned": returned, **last}


first = run(bpy.ops.ftdcc.publish)
confirmed = run(bpy.ops.ftdcc.confirm_new_session, name=options["review_session"])
print("\nRESULT " + json.dumps({"first": first, "confirmed": confirmed}), flush=True)
