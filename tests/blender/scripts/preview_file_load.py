"""The panel's preview read, with another .blend opened while it is under way.

Args: a JSON file with zip and blend (a path to save a scene to and open again). Background
Blender: installs the add-on zip, starts the panel's preview read (``preview.ensure``), opens a
.blend at once, and prints RESULT {pending, hand_over_kept, blender}: whether a read was under
way, and whether the main thread's hand-over of its answer is still registered after the file
load (Blender drops every non-persistent timer on a file load; without the hand-over the panel
would say "Reading the settings..." until Blender restarts).
"""

import json
import sys
from pathlib import Path

import bpy

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
preview = sys.modules["ft_dcc_blender.preview"]
bpy.ops.wm.save_as_mainfile(filepath=options["blend"])

preview.ensure(bpy.context)
pending = preview.STATE["pending"]
bpy.ops.wm.open_mainfile(filepath=options["blend"])
result = {
    "pending": pending,
    "hand_over_kept": bpy.app.timers.is_registered(preview._hand_over),
    "blender": bpy.app.version_string,
}
print("RESULT " + json.dumps(result), flush=True)
