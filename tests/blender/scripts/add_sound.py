"""Add a sound strip to a saved .blend: ``python add_sound.py -- BLEND WAV FRAME`` (bpy)."""

import sys

import bpy

blend, wav, frame = sys.argv[sys.argv.index("--") + 1 :]
bpy.ops.wm.open_mainfile(filepath=blend)
scene = bpy.context.scene
editor = scene.sequence_editor_create()
strips = editor.strips if hasattr(editor, "strips") else editor.sequences
strips.new_sound("click", wav, 1, int(frame))
scene.view_settings.view_transform = "Standard"  # a look the capture must keep and record
scene.view_settings.exposure = 0.5
bpy.ops.wm.save_mainfile(filepath=blend)
