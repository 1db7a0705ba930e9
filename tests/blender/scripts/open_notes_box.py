"""The publish panel's "Open notes" box in bpy (no window), through the add-on's own operator
and properties, as the artist's clicks set them.

Args: a JSON file with zip, task, tick (a note's text to tick) and other_task. Installs the
add-on zip, sets the Task field, presses the box's refresh button, ticks the note; records what
the publish would address and what the box draws; then types another task in the field (the
notes are the first task's: none is sent, the box says to refresh) and back. Prints RESULT
{returned, listed, connection, addresses, drawn, addresses_other, drawn_other, addresses_back}.
"""

import json
import sys
from pathlib import Path

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_clicks import Recorder

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
if bpy.app.version >= (4, 2, 0):
    bpy.ops.extensions.package_install_files(
        filepath=options["zip"], repo="user_default", enable_on_install=True
    )
else:
    import addon_utils

    bpy.ops.preferences.addon_install(filepath=options["zip"])
    addon_utils.enable("ft_dcc_blender", default_set=True)


def module(name):
    return sys.modules[next(m for m in sys.modules if m.endswith(f"ft_dcc_blender.{name}"))]


box, request, connection = module("open_notes"), module("request"), module("connection")
settings = bpy.context.scene.ftrack_publish


def drawn():
    labels = []
    box.draw(Recorder(labels), settings)
    return [text for text, _icon in labels]


def addresses():
    return list(request.publish_request(bpy.context).addresses)


settings.task = options["task"]
result = {"returned": sorted(bpy.ops.ftdcc.notes_refresh())}
for item in settings.open_notes:
    item.addressed = item.text == options["tick"]  # the artist's click on its checkbox
result.update(
    listed=[[i.note_id, i.heading, i.text] for i in settings.open_notes],
    connection=dict(connection.STATE),
    addresses=addresses(),
    drawn=drawn(),
)
settings.task = options["other_task"]
result.update(addresses_other=addresses(), drawn_other=drawn())
settings.task = options["task"]
result.update(addresses_back=addresses())
print("RESULT " + json.dumps(result), flush=True)
