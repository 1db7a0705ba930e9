"""A step's scene: read from the job's ``Scenes`` file, its path mapped for this node.

The ``Scenes`` job parameter is a PATH, which the farm maps itself; the scene paths inside the
file are mapped here with the session's path-mapping rules (``{{Session.PathMappingRulesFile}}``,
OpenJD's ``pathmapping-1.0``: the longest matching source path wins, whole path parts only).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import List, Optional, Tuple

import attr

from ft_dcc.exceptions import FarmError

FORMATS = {"POSIX": PurePosixPath, "WINDOWS": PureWindowsPath}


@attr.s(auto_attribs=True, frozen=True)
class Rule:
    source_format: str  # POSIX or WINDOWS: how the source path is written
    source: str
    destination: str

    def apply(self, path: str) -> Optional[str]:
        """``path`` under this rule's destination, or None when the rule does not match."""
        flavour = FORMATS.get(self.source_format.upper(), PurePosixPath)
        try:
            rest = flavour(path).relative_to(flavour(self.source))
        except ValueError:
            return None
        if not rest.parts:
            return self.destination
        return str(Path(self.destination).joinpath(*rest.parts))


def read_rules(rules_file: Optional[str]) -> List[Rule]:
    """The session's rules (none when there is no file or it holds none)."""
    if not rules_file:
        return []
    try:
        data = json.loads(Path(rules_file).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError) as exc:
        raise FarmError(f"cannot read the path-mapping rules {rules_file}: {exc}") from None
    rules = data.get("path_mapping_rules", []) if isinstance(data, dict) else []
    found = [
        Rule(str(r.get("source_path_format", "POSIX")), str(r["source_path"]),
             str(r["destination_path"]))
        for r in rules if isinstance(r, dict) and "source_path" in r and "destination_path" in r
    ]  # fmt: skip
    return sorted(found, key=lambda rule: len(rule.source), reverse=True)


def map_path(path: str, rules: List[Rule]) -> str:
    for rule in rules:
        mapped = rule.apply(path)
        if mapped is not None:
            return mapped
    return path


def load_scene(scenes_file: str, index: int, rules_file: Optional[str]) -> Tuple[Path, str]:
    """``(the scene's path on this node, its task)`` of scene ``index``; FarmError otherwise."""
    try:
        data = json.loads(Path(scenes_file).read_text(encoding="utf-8"))
        entry = next(e for e in data["scenes"] if int(e["index"]) == index)
        path, task = str(entry["path"]), str(entry["task"])
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as exc:
        raise FarmError(
            f"the job's scenes file {scenes_file} has no scene {index} ({exc})",
            hint="run the bundle as ft-dcc farm submit wrote it (its scenes.json beside it)",
        ) from None
    return Path(map_path(path, read_rules(rules_file))), task
