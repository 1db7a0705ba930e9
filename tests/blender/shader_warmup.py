"""The run's first windowed Blender fills the shared Mesa shader cache alone.

Every Blender of the run shares one Mesa shader cache (``MESA_SHADER_CACHE_DIR``, the root
conftest's ``shared_shader_cache``): a windowed start with a warm cache is ~2 CPU-s, with an
empty one ~6 (software GL compiles each shader with LLVM). The long tests start first, so the
first windowed Blenders of the parallel workers started together on the empty cache and each
compiled the same shaders. Now the first one to start claims the warm-up (a file made with
``O_EXCL`` in the cache folder) and, once its window has drawn, leaves a marker; the others wait
for that marker (a condition, :data:`WAIT` seconds at most: on a timeout they start all the
same, only slower) before they start.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

from support.waiting import wait_until

log = logging.getLogger(__name__)

#: made by the windowed Blender that warms the cache (whoever makes it first)
CLAIM = "ft_dcc-warming"
#: made once that Blender's window has drawn, or it has ended
WARMED = "ft_dcc-warmed"
#: how long a windowed Blender waits for the warm-up on a loaded machine (a condition)
WAIT = 300.0

#: For the Blender that warms the cache: the marker once the 3D view has drawn (a draw
#: handler notes it; the next pass of the main loop, after the whole window is drawn, writes it)
_MARK_WHEN_DRAWN = """
import bpy
from pathlib import Path
_ft_dcc_drawn = []
_ft_dcc_handler = bpy.types.SpaceView3D.draw_handler_add(
    lambda: _ft_dcc_drawn.append(True), (), "WINDOW", "POST_PIXEL")
def _ft_dcc_warmed():
    if not _ft_dcc_drawn:
        return 0.1
    bpy.types.SpaceView3D.draw_handler_remove(_ft_dcc_handler, "WINDOW")
    Path({marker!r}).touch()
    return None
bpy.app.timers.register(_ft_dcc_warmed, first_interval=0.1, persistent=True)
"""


@contextmanager
def shader_cache_warmed(env: Dict[str, str]) -> Iterator[List[str]]:
    """For one windowed Blender started with ``env``: yields the arguments to add to its
    command (the first one marks the cache warmed once it has drawn), having waited for the
    warm-up when another Blender does it. Nothing without a shared cache."""
    folder = env.get("MESA_SHADER_CACHE_DIR")
    if not folder:
        yield []
        return
    marker = Path(folder) / WARMED
    try:
        os.close(os.open(Path(folder) / CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        _wait_for(marker)
        yield []
        return
    try:
        yield ["--python-expr", _MARK_WHEN_DRAWN.format(marker=str(marker))]
    finally:
        marker.touch()  # the others go on whatever became of this Blender


def _wait_for(marker: Path) -> None:
    try:
        wait_until(marker.exists, "the shader cache's warm-up", timeout=WAIT, interval=0.1)
    except AssertionError:  # the warming Blender hung: start all the same, only slower
        log.warning("no windowed Blender warmed the shader cache in %.0f s: starting", WAIT)
