"""Check a ``maya.cmds`` call against the pinned Maya 2025 flag schema, the way Maya does.

Every check raises what real Maya raises (from the Maya command docs and the project's host
notes, see NOTICE.md): an unknown flag is ``TypeError("Invalid flag 'x'")``; a flag used in a mode
it does not support, a wrong argument count or type is a ``RuntimeError`` / ``TypeError``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Tuple

SCHEMA_FILE = Path(__file__).resolve().parent / "cmds_schema.json"

#: Documented-vs-real deviations (host-apis.md §2.2 "Query mode"): the playblast docs say "NOT
#: queryable", yet ``playblast(query=True, format=True)`` and
#: ``playblast(format="qt", query=True, compression=True)`` work in real Maya and are widely used
#: (maya-capture ``list_formats``/``list_compressions``).
MODE_OVERRIDES = {
    ("playblast", "format"): ("create", "query"),
    ("playblast", "compression"): ("create", "query"),
}
#: flags that may carry a value in query mode, as a qualifier of the queried flag. outputTarget
#: names the output ("playblast") whose transform is queried: Autodesk's own maya-usd tests call
#: ``colorManagementPrefs(q=1, outputTarget="playblast", outputTransformName=1)``
#: (Autodesk/maya-usd test/testUtils/imageUtils.py).
QUERY_QUALIFIERS = {("playblast", "format"), ("colorManagementPrefs", "outputTarget")}

_schema: Dict[str, Any] = {}


def schema() -> Dict[str, Any]:
    if not _schema:
        _schema.update(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    return _schema


def command_names() -> Tuple[str, ...]:
    return tuple(schema()["commands"])


def _is_bool_like(value: Any) -> bool:
    return isinstance(value, (bool, int)) and not isinstance(value, float)


def _check_type(command: str, flag: str, kind: Any, value: Any) -> None:
    ok = True
    if kind == "<type bool>":
        ok = _is_bool_like(value)
    elif kind == "<type int>":
        ok = isinstance(value, int)
    elif kind in ("<type float>", "time"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "<type str>":
        ok = isinstance(value, str)
    elif kind == "script":
        ok = isinstance(value, str) or callable(value)
    if not ok:
        raise TypeError(
            f"Invalid arguments for flag '{flag}'.  Expected {kind}, got {type(value).__name__}"
        )


def _check_arity(command: str, flag: str, spec: Dict[str, Any], value: Any, multiuse: bool):
    count = spec["numArgs"]
    kinds = spec["args"]
    if count > 1:
        values = [value] if not multiuse else value
        if (
            multiuse
            and isinstance(value, (list, tuple))
            and value
            and not isinstance(value[0], (list, tuple))
        ):
            values = [value]
        for item in values:
            if not isinstance(item, (list, tuple)) or len(item) != count:
                raise TypeError(
                    f"Invalid arguments for flag '{flag}'.  Expected ( {count} arguments ), "
                    f"got {item!r}"
                )
            for kind, part in zip(kinds, item):
                _check_type(command, flag, kind, part)
        return
    if multiuse and isinstance(value, (list, tuple)):
        for item in value:
            _check_type(command, flag, kinds, item)
        return
    if isinstance(value, (list, tuple)):
        raise TypeError(f"Invalid arguments for flag '{flag}'.  Expected 1 argument, got {value!r}")
    _check_type(command, flag, kinds, value)


def normalise(command: str, flags: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """Validate ``flags`` of ``command``; return (mode, {long name: value}) without q/e."""
    entry = schema()["commands"][command]
    table = entry["flags"]
    shorts = {spec["short"]: long for long, spec in table.items() if spec["short"]}
    longs: Dict[str, Any] = {}
    for given, value in flags.items():
        long = given if given in table else shorts.get(given)
        if long is None:
            raise TypeError(f"Invalid flag '{given}'")
        if long in longs:
            # What Maya does with both forms of one flag is unverified; refusing is the safe side.
            raise TypeError(f"Flag '{long}' was given twice (as a long and a short name)")
        longs[long] = value
    query = bool(longs.pop("query", False))
    edit = bool(longs.pop("edit", False))
    if query and edit:
        raise RuntimeError(f"{command}: the query and edit flags cannot be used together")
    mode = "query" if query else "edit" if edit else "create"
    for long, value in longs.items():
        spec = table[long]
        modes = MODE_OVERRIDES.get((command, long)) or spec["modes"] or ["create"]
        qualifier = mode == "query" and (command, long) in QUERY_QUALIFIERS
        if mode not in modes and not qualifier:
            raise RuntimeError(
                f"{command}: flag '{long}' cannot be used in {mode} mode"
                + (" (it is query/edit only: pass q=True or e=True)" if mode == "create" else "")
            )
        if mode == "query" and (not qualifier or _is_bool_like(value)):
            if not _is_bool_like(value):
                raise RuntimeError(
                    f"Flag '{long}' must be passed a boolean argument when query flag is set"
                )
            continue
        _check_arity(command, long, spec, value, "multiuse" in (spec["modes"] or ()))
    return mode, longs


def command_type(command: str) -> str:
    return schema()["commands"][command].get("type") or ""
