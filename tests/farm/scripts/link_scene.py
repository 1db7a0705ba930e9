"""A Blender scene linking an object of another .blend and an image (for the asset references
test): ``blender -b -P link_scene.py -- LIBRARY IMAGE OUT``."""

import sys

import bpy

library, image, out = sys.argv[sys.argv.index("--") + 1:]
bpy.ops.wm.read_factory_settings(use_empty=True)
prop = bpy.data.objects.new("Prop", bpy.data.meshes.new("PropMesh"))
bpy.context.scene.collection.objects.link(prop)
bpy.ops.wm.save_as_mainfile(filepath=library)
bpy.ops.wm.read_factory_settings(use_empty=True)
with bpy.data.libraries.load(library, link=True) as (source, target):
    target.objects = ["Prop"]
for obj in target.objects:
    bpy.context.scene.collection.objects.link(obj)
bpy.data.images.load(image).use_fake_user = True
scene = bpy.context.scene
scene.frame_start, scene.frame_end, scene.render.fps = 1001, 1012, 24
bpy.ops.wm.save_as_mainfile(filepath=out)
