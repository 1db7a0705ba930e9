"""Where Blender's own Python API stays untyped in ft_dcc's signatures (counted apart by
``tests/tools/count_any.py``).

``bpy`` is a compiled extension (``bpy/__init__.so`` in the bpy wheel, built into Blender) that
ships no type information: no stubs, no ``py.typed``; its RNA types are made at run time, so
mypy sees every ``bpy`` object as untyped. (Community stub packages exist; ft_dcc does not depend
on them.) One name per host object ft_dcc's signatures take or return:
"""

from typing import Any

Scene = Any  # bpy.types.Scene: a scene (render, display, view and colour settings, objects)
Object = Any  # bpy.types.Object: a scene's object (the camera looked through)
Shading = Any  # bpy.types.View3DShading: a 3D view's or the Workbench render's shading
Window = Any  # bpy.types.Window: one of Blender's windows (its screen holds the areas)
Area = Any  # bpy.types.Area: a window's area (a 3D view's, here)
Region = Any  # bpy.types.Region: an area's region (the 3D view's WINDOW region)
SpaceView3D = Any  # bpy.types.SpaceView3D: a 3D view (its shading and overlays)
Struct = Any  # bpy.types.bpy_struct: any RNA struct whose properties a capture sets and restores
Strip = Any  # bpy.types.Strip (Sequence before 4.4): a sound strip of the sequencer
Context = Any  # bpy.types.Context: the context Blender hands operators and panels
