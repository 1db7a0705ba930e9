"""Make the project, sequence, shot and task a publish goes to (``ft-dcc context create``).

Through the ftrack API only, on ftrack's own schema (``Project``, ``Sequence``, ``Shot``,
``Task`` with a ``Type``; the shot's ``fstart``/``fend``/``fps`` custom attributes, as the
publish's frame checks read them: ``checks.shot_attributes``), so it works against a real ftrack
server as it does against the embedded one. Idempotent: what exists as asked is left alone, and
the result lists every change (none on a second run). Everything is checked before the first
write (the task type's name), and the new entities are created in one commit.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Set, Tuple

import attr

from ft_dcc.exceptions import ValidationError
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.publish.context.tasks import nearest_names
from ft_dcc.session.interface import EntityLike, PublishSession

#: the shot's custom attributes ``context create`` sets (ftrack's standard keys)
SHOT_VALUE_KEYS = ("fstart", "fend", "fps")
#: the task type of a new task whose name names none (when the server has it)
FALLBACK_TYPE = "Generic"
PATH_HINT = "write all four levels, e.g. ft_dcc_demo/sq010/sh020/lighting"


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class ContextSpec:
    """What ``context create`` was asked for."""

    project: str
    sequence: str
    shot: str
    task: str
    fps: Optional[Fraction] = None
    frames: Optional[Tuple[int, int]] = None
    task_type: Optional[str] = None
    #: ``--change-frames``: change a range the shot already has (else a differing one is refused)
    change_frames: bool = False

    @property
    def path(self) -> str:
        return "/".join((self.project, self.sequence, self.shot, self.task))

    def shot_values(self) -> Dict[str, float]:
        """The shot attributes asked for, by key."""
        values: Dict[str, float] = {}
        if self.frames is not None:
            values["fstart"], values["fend"] = float(self.frames[0]), float(self.frames[1])
        if self.fps is not None:
            values["fps"] = float(self.fps)
        return values


@attr.s(auto_attribs=True, kw_only=True)
class ContextResult:
    """What ``context create`` did: every change (empty: nothing changed) and what is there."""

    path: str
    server: str
    changes: List[str] = attr.Factory(list)
    shot_values: Dict[str, float] = attr.Factory(dict)  # the shot's explicitly set values
    task_type: Optional[str] = None

    def describe(self) -> str:
        """One line: the shot's range and rate, and the task's type."""
        parts = []
        start, end = self.shot_values.get("fstart"), self.shot_values.get("fend")
        if start is not None and end is not None:
            parts.append(f"frames {number(start)}-{number(end)}")
        if "fps" in self.shot_values:
            parts.append(f"{number(self.shot_values['fps'])} fps")
        shot = "shot " + (", ".join(parts) if parts else "without a range or rate set")
        return f"{shot}; task type {self.task_type or 'unknown'}"


def number(value: float) -> str:
    """A value as a person writes it: 25, 1001, 23.976."""
    return f"{float(value):g}"


def parse_context_path(text: str) -> Tuple[str, str, str, str]:
    """``PROJECT/SEQUENCE/SHOT/TASK`` as its four names; ValidationError for anything else."""
    parts = [part.strip() for part in text.strip().strip("/").split("/")]
    if len(parts) != 4 or not all(parts):
        raise ValidationError(f"{text!r} is not a PROJECT/SEQUENCE/SHOT/TASK path", hint=PATH_HINT)
    return parts[0], parts[1], parts[2], parts[3]


def ensure_context(session: PublishSession, spec: ContextSpec) -> ContextResult:
    """Create what is missing of ``spec`` and set the shot values that differ; return what
    changed (nothing when all is as asked)."""
    types = _type_names(session)
    asked_type = _known_type(spec.task_type, types) if spec.task_type else None
    builder = _Builder(session, spec)
    project = builder.project()
    sequence = builder.child(project, "Sequence", spec.sequence, 1)
    shot = builder.child(sequence, "Shot", spec.shot, 2)
    if str(shot["id"]) not in builder.new_ids:
        _check_range_kept(session, shot, spec)
    task_type = builder.task(shot, asked_type, types)
    if builder.changes:
        session.commit()  # one batch: all or nothing on the server
    values = _ensure_shot_values(session, [shot, sequence, project], spec, builder.changes)
    return ContextResult(
        path=spec.path,
        server=str(session.server_url).rstrip("/"),
        changes=builder.changes,
        shot_values=values,
        task_type=task_type,
    )


def _type_names(session: PublishSession) -> List[str]:
    return sorted({str(row["name"]) for row in session.query("select name from Type")})


def _known_type(name: str, types: Sequence[str]) -> str:
    """The server's spelling of task type ``name``; did-you-mean when it has none."""
    for known in types:
        if known.lower() == name.strip().lower():
            return known
    nearest = nearest_names(name, list(types))
    guess = f": did you mean {nearest[0]!r}?" if nearest else ""
    raise ValidationError(
        f"there is no task type {name!r} on this server{guess}",
        hint="--task-type takes one of: " + ", ".join(types),
    )


def type_for_new_task(task_name: str, types: Sequence[str]) -> Tuple[str, str]:
    """The type of a new task given no ``--task-type``, and why: the type named like the task
    ("lighting": Lighting; "anim": Animation, the only one it starts), else Generic."""
    lowered = task_name.lower()
    named = [t for t in types if t.lower() == lowered or t.lower().startswith(lowered)]
    if len(named) == 1 or (named and named[0].lower() == lowered):
        return named[0], "from the task's name"
    if FALLBACK_TYPE in types:
        return FALLBACK_TYPE, "no type is named like the task"
    raise ValidationError(
        f"no task type is named like the task {task_name!r}",
        hint="give one with --task-type: " + ", ".join(types),
    )


class _Builder:
    """Finds each level of the path, creating (uncommitted) what is missing."""

    def __init__(self, session: PublishSession, spec: ContextSpec) -> None:
        self.session = session
        self.spec = spec
        self.changes: List[str] = []
        self.new_ids: Set[str] = set()  # made in this run: nothing to look up under them

    def _created(self, entity: EntityLike, what: str) -> EntityLike:
        self.new_ids.add(str(entity["id"]))
        self.changes.append(f"created {what}")
        return entity

    def project(self) -> EntityLike:
        name = self.spec.project
        found = self.session.query(f"select id, name from Project where name is {quote(name)}")
        project = found.first()
        if project is not None:
            return project
        data: Dict[str, object] = {"name": name, "full_name": name}
        schema = self.session.query("select id, name from ProjectSchema").first()
        if schema is not None:
            data["project_schema"] = schema
        others = [str(row["name"]) for row in self.session.query("select name from Project")]
        nearest = nearest_names(name, others)
        note = f" (beside {nearest[0]!r}: was that the one?)" if nearest else ""
        schema_note = f", schema {schema['name']!r}" if schema is not None else ""
        project = self.session.create("Project", data)
        return self._created(project, f"project {name!r}{schema_note}{note}")

    def _existing(self, parent: EntityLike, name: str) -> Optional[EntityLike]:
        if str(parent["id"]) in self.new_ids:
            return None
        return self.session.query(
            "select id, name from TypedContext "
            f"where parent_id is {quote(parent['id'])} and name is {quote(name)}"
        ).first()

    def child(self, parent: EntityLike, entity_type: str, name: str, depth: int) -> EntityLike:
        """The ``entity_type`` called ``name`` under ``parent`` (a sequence level may be any
        context but a task: an Episode or a Folder serves as well)."""
        found = self._existing(parent, name)
        if found is not None:
            wrong = found.entity_type == "Task" or (
                entity_type == "Shot" and found.entity_type != "Shot"
            )
            if wrong:
                raise self._wrong_kind(found, entity_type, depth)
            return found
        entity = self.session.create(entity_type, {"name": name, "parent": parent})
        return self._created(entity, f"{entity_type.lower()} {name!r}")

    def _wrong_kind(self, found: EntityLike, wanted: str, depth: int) -> ValidationError:
        where = "/".join((self.spec.project, self.spec.sequence, self.spec.shot)[: depth + 1])
        return ValidationError(
            f"{where!r} exists but is a {found.entity_type}, not a {wanted}",
            hint="choose another name for this level, or rename the existing one in ftrack",
        )

    def task(self, shot: EntityLike, asked: Optional[str], types: Sequence[str]) -> str:
        """Find or create the task; set its type when ``--task-type`` asks another one."""
        name = self.spec.task
        found = self._existing(shot, name)
        if found is not None and found.entity_type != "Task":
            raise self._wrong_kind_task(found)
        if found is None:
            kind, why = (asked, "as asked") if asked else type_for_new_task(name, types)
            hint = "" if asked else "; --task-type sets another"
            self.session.create("Task", {"name": name, "parent": shot, "type": self._type(kind)})
            self.changes.append(f"created task {name!r} (type {kind}: {why}{hint})")
            return kind
        task = self.session.query(
            f"select id, type.name from Task where id is {quote(found['id'])}"
        ).one()
        current = str(task["type"]["name"]) if task["type"] is not None else None
        if asked and asked != current:
            task["type"] = self._type(asked)
            self.changes.append(f"task type {current} -> {asked}")
            return asked
        return current or "unknown"

    def _wrong_kind_task(self, found: EntityLike) -> ValidationError:
        return ValidationError(
            f"{self.spec.path!r} exists but is a {found.entity_type}, not a Task",
            hint="choose another task name",
        )

    def _type(self, name: str) -> EntityLike:
        return self.session.query(f"select id, name from Type where name is {quote(name)}").one()


def _ensure_shot_values(
    session: PublishSession, chain: List[EntityLike], spec: ContextSpec, changes: List[str]
) -> Dict[str, float]:
    """Set the shot's asked values that are not set so (fps, hierarchical, may be set above
    it); return the shot's set values after."""
    current = _set_values(session, chain)
    wanted = spec.shot_values()
    changed = {key: value for key, value in wanted.items() if not _same(current.get(key), value)}
    if not changed:
        return current
    shot = chain[0]
    for key, value in changed.items():
        before = current.get(key)
        shot["custom_attributes"][key] = int(value) if key != "fps" else value
        was = f"{number(before)} -> " if before is not None else "set to "
        changes.append(f"{key} {was}{number(value)}")
        current[key] = value
    session.commit()
    return current


def _check_range_kept(session: PublishSession, shot: EntityLike, spec: ContextSpec) -> None:
    """Refuse (before any write) a ``--frames`` that would change the range the shot already
    has (another task's work was checked against it) unless ``--change-frames`` asks to."""
    if spec.frames is None or spec.change_frames:
        return
    own = _set_values(session, [shot])
    start, end = own.get("fstart"), own.get("fend")
    if start is None or end is None:
        return
    if _same(start, spec.frames[0]) and _same(end, spec.frames[1]):
        return
    has, asked = f"{number(start)}-{number(end)}", f"{spec.frames[0]}-{spec.frames[1]}"
    raise ValidationError(
        f"shot {spec.shot!r} already has the frame range {has}; --frames {asked} would change "
        "it for every task of the shot, nothing was changed",
        hint=f"leave out --frames (or pass --frames {has}) to keep the shot's range, or add "
        f"--change-frames to set it to {asked}",
    )


def _same(current: Optional[float], wanted: float) -> bool:
    return current is not None and abs(current - wanted) < 1e-6


def _set_values(session: PublishSession, chain: List[EntityLike]) -> Dict[str, float]:
    """The explicitly set ``fstart``/``fend``/``fps`` of the shot or above it, nearest wins."""
    ids = [str(entity["id"]) for entity in chain]
    rows = session.query(
        "select key, value, entity_id from ContextCustomAttributeValue "
        f"where entity_id in ({quoted_list(ids)}) and key in ({quoted_list(SHOT_VALUE_KEYS)})"
    ).all()
    rank = {entity_id: index for index, entity_id in enumerate(ids)}
    values: Dict[str, float] = {}
    for row in sorted(rows, key=lambda r: rank.get(str(r["entity_id"]), len(ids))):
        if row["value"] not in (None, "") and row["key"] not in values:
            values[str(row["key"])] = float(row["value"])
    return values
