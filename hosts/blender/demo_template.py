"""The demo scene from the shipped template: a scene every supported Blender opens.

A ``.blend`` written by Blender 5 does not open in Blender 3.4 ("not a blend file"), so the
demo does not save a scene with whatever Blender is at hand: it copies ``demo_scene.blend.gz``
(built by Blender 3.4, the oldest the README supports, with ``demo_scene.build(driven=True)``:
the cube's motion follows the scene's frame range) and writes the shot's frame range, rate and
the playblast size into its render settings with blender-asset-tracer, which edits the fields
of a blend file in place without Blender. Without that library the caller builds the scene in
Blender instead (readable only by that Blender and newer).
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

    from ft_dcc.demo import DemoSceneOptions

TEMPLATE = Path(__file__).resolve().with_name("demo_scene.blend.gz")
#: the version of Blender that wrote the template (the oldest the README supports)
TEMPLATE_BLENDER = (3, 4)


def available() -> bool:
    """True when the template ships and blender-asset-tracer can edit it."""
    try:
        import blender_asset_tracer.blendfile  # noqa: F401
    except ImportError:
        return False
    return TEMPLATE.is_file()


def render_fields(options: DemoSceneOptions) -> Dict[Tuple[bytes, bytes], Union[int, float]]:
    """The ``Scene.r`` (RenderData) fields a demo scene's ``options`` set."""
    start = int(options.get("frame_start", 1001))
    return {
        (b"r", b"sfra"): start,
        (b"r", b"efra"): int(options.get("frame_end", 1048)),
        (b"r", b"cfra"): start,
        (b"r", b"frs_sec"): int(options.get("fps", 24)),
        (b"r", b"frs_sec_base"): float(options.get("fps_base", 1.0)),
        (b"r", b"xsch"): int(options.get("width", 1280)),
        (b"r", b"ysch"): int(options.get("height", 720)),
        (b"r", b"size"): 100,
    }


def write_demo_scene(path: Path, **options: Unpack[DemoSceneOptions]) -> Path:
    """The template at ``path`` with ``options`` (see ``demo_scene.build``) applied."""
    from blender_asset_tracer import blendfile

    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with gzip.open(TEMPLATE, "rb") as source, open(partial, "wb") as target:
        shutil.copyfileobj(source, target)
    try:
        scene_file = blendfile.BlendFile(partial, mode="rb+")
        try:
            (scene,) = scene_file.find_blocks_from_code(b"SC")
            for field, value in render_fields(options).items():
                scene.set(field, value)
        finally:
            scene_file.close()
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return path
