"""The "Create a new review session?" dialogs in one window (Debian's Blender 3.4 under Xvfb, a
start costs seconds of software-GL CPU): the add-on installed once, then the sidebar's "Publish
for review" part (new_session_dialog.py), then the "Publish on the farm" part
(farm_new_session_dialog.py), each with a task and misspelt review session of its own.

Args: a JSON file with zip, sidebar and farm (each: task, review_session, screenshots). Prints
RESULT {sidebar: {...}, farm: {...}} and leaves.
"""

import json
import os
import sys
from pathlib import Path

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
import farm_new_session_dialog  # noqa: E402
import new_session_dialog  # noqa: E402

result = {}


def sidebar_done(sidebar):
    result["sidebar"] = sidebar
    farm_new_session_dialog.start(options["farm"], farm_done)


def farm_done(farm):
    result["farm"] = farm
    print("\nRESULT " + json.dumps(result), flush=True)
    os._exit(0)


new_session_dialog.start(options["sidebar"], sidebar_done)
