"""What a job reads and writes, for a farm that moves files: the bundle's asset references.

``asset_references.json`` (the Deadline Cloud bundle file): the inputs are every scene file or
movie, the files each Blender scene links (libraries, images, sounds: found without Blender by
blender-asset-tracer, through linked libraries too) and the ``Scenes`` file; the output is the
work folder; image sequences on shared storage are ``referencedPaths`` (read in place, mapped,
not uploaded). A farm with job attachments uploads the inputs and maps their paths on the
workers; ``openjd run`` reads them where they are.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, List, Set, Tuple

from ft_dcc.farm.model import FarmBatch
from ft_dcc.protocol.json_value import JsonObject, JsonValue

log = logging.getLogger(__name__)

ASSET_REFERENCES = "asset_references.json"


def scene_links(path: Path, host: str) -> Tuple[Path, ...]:
    """The files a scene links that exist on disk (Blender scenes; () for other hosts, or when
    blender-asset-tracer is not installed: the scene alone travels then)."""
    if host != "blender":
        return ()
    try:
        from blender_asset_tracer import trace
    except ImportError:
        log.info("blender-asset-tracer is not installed: %s's links are not listed", path)
        return ()
    found: List[Path] = []
    seen: Set[Path] = {path}
    try:
        for usage in trace.deps(path):
            for linked in usage.files():
                linked = Path(linked).absolute()
                if linked not in seen and linked.is_file():
                    seen.add(linked)
                    found.append(linked)
    except Exception as exc:  # a third-party reader of a file we did not write: say, go on
        log.warning("could not list the files %s links (%s): it travels alone", path, exc)
        return ()
    return tuple(found)


def asset_references(batch: FarmBatch, scenes_file: Path, work: Path) -> JsonObject:
    """The bundle's ``asset_references.json`` document."""
    inputs: List[str] = []
    referenced: List[str] = []
    for scene in batch.scenes:
        if scene.path.is_file():
            inputs.extend(_unique(inputs, [scene.path, *scene.links]))
        else:  # an image sequence's pattern: its folder, read from shared storage
            referenced.extend(_unique(referenced, [scene.path.parent]))
    files: List[JsonValue] = [str(scenes_file), *inputs]
    return {
        "assetReferences": {
            "inputs": {"filenames": files, "directories": []},
            "outputs": {"directories": [str(work)]},
            "referencedPaths": list(referenced),
        }
    }


def _unique(already: List[str], paths: Iterable[Path]) -> List[str]:
    new: List[str] = []
    for path in paths:
        text = str(path)
        if text not in already and text not in new:
            new.append(text)
    return new
