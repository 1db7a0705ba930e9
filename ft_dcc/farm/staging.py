"""The work folder a scene's steps share on the farm, and what the capture parts leave in it.

``<work>/frames/<asset>.####.<ext>``  the captured frames, named after the scene
``<work>/parts/<part>.json``          one record per finished capture part (written last)
``<work>/queue/``                     the publish's journal: an interrupted publish resumes
``<work>/publish_step.json``          the scene's publish key and host, written as its publish
                                      step starts (``ft-dcc farm flush`` finds journals by it)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import attr

from ft_dcc.exceptions import FarmError, UnsafePathError
from ft_dcc.safe_paths import confined

Range = Tuple[int, int]
PUBLISH_MARK = "publish_step.json"


def _write_json(path: Path, data: Mapping[str, object]) -> None:
    """Write ``data`` atomically (a reader sees all of it or none)."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(path)


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class PartRecord:
    """What one capture part did: its frames (None: it had none), the frame rate it captured
    at (None: the publish takes the shot's), the staged frames' name pattern, and the publish
    key of the bundle that captured it (a re-run of that bundle skips the part)."""

    part: int
    parts: int
    frames: Optional[Range]
    fps: Optional[str] = None
    pattern: Optional[str] = None  # e.g. "shot010_anim.####.png", relative to frames/
    key: Optional[str] = None

    def to_dict(self) -> Dict[str, object]:
        data = attr.asdict(self)
        data["frames"] = list(self.frames) if self.frames else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PartRecord:
        frames, fps, pattern = data.get("frames"), data.get("fps"), data.get("pattern")
        key = data.get("key")
        return cls(
            part=_number(data["part"]), parts=_number(data["parts"]),
            frames=(_number(frames[0]), _number(frames[1]))
            if isinstance(frames, list) and frames else None,
            fps=None if fps is None else str(fps),
            pattern=None if pattern is None else str(pattern),
            key=None if key is None else str(key),
        )  # fmt: skip


def _number(value: object) -> int:
    """A part record's frame or part number (the record is JSON its capture step wrote)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FarmError(
            f"a capture part's record holds {value!r} where a number belongs",
            hint="run the job's capture steps again (the record was not written by them)",
        )
    return int(value)


@attr.s(auto_attribs=True, frozen=True)
class WorkFolder:
    root: Path

    @property
    def frames(self) -> Path:
        return self.root / "frames"

    @property
    def queue(self) -> Path:
        return self.root / "queue"

    @property
    def publish_mark(self) -> Path:
        return self.root / PUBLISH_MARK

    def mark_publish(self, key: str, host: str) -> None:
        """Say whose journal ``queue/`` is: the scene's publish key and host."""
        self.root.mkdir(parents=True, exist_ok=True)
        _write_json(self.publish_mark, {"key": key, "host": host})

    def marked(self) -> Optional[Tuple[str, str]]:
        """``(publish key, host)`` of the step that publishes from here, or None."""
        try:
            data = json.loads(self.publish_mark.read_text(encoding="utf-8"))
            return str(data["key"]), str(data["host"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record_path(self, part: int) -> Path:
        return self.root / "parts" / f"{part}.json"

    def save(self, record: PartRecord) -> None:
        """Write ``record`` (atomically: a part counts as done only once all of it is)."""
        path = self.record_path(record.part)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_json(path, record.to_dict())

    def finished(self, part: int, parts: int, key: Optional[str]) -> Optional[PartRecord]:
        """The record of ``part`` when a run of the same bundle (``key``) finished it and all
        its staged frames are still there; else None (the part is to be captured)."""
        path = self.record_path(part)
        if key is None or not path.is_file():
            return None
        try:
            record = PartRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, FarmError):
            return None  # unreadable: capture it again
        if (record.key, record.parts) != (key, parts):
            return None
        if record.frames:
            first, last = record.frames
            if not record.pattern:
                return None
            try:  # the record is on shared storage: a name it gives stays in frames/
                staged = [
                    confined(self.frames, record.pattern.replace("####", f"{f:04d}"), keep=True)
                    for f in range(first, last + 1)
                ]
            except UnsafePathError:
                return None
            if not all(path.is_file() for path in staged):
                return None
        return record

    def records(self, parts: int) -> List[PartRecord]:
        """Every part's record; FarmError naming the parts that did not finish."""
        missing = [p for p in range(1, parts + 1) if not self.record_path(p).is_file()]
        if missing:
            listed = ", ".join(str(p) for p in missing)
            raise FarmError(
                f"capture part(s) {listed} of {parts} did not finish in {self.root}",
                hint="run the job's capture step again (a farm runs it first); nothing was "
                "published",
            )
        return [
            PartRecord.from_dict(json.loads(self.record_path(p).read_text(encoding="utf-8")))
            for p in range(1, parts + 1)
        ]


def staged_input(work: WorkFolder, parts: int) -> Tuple[Path, Range, Optional[str]]:
    """The staged sequence to publish (a ``####`` pattern), its range and frame rate, from the
    parts' records; FarmError when a part is missing or the parts do not join up."""
    records = [r for r in work.records(parts) if r.frames is not None]
    if not records:
        raise FarmError(f"the capture parts in {work.root} captured no frame")
    records.sort(key=lambda r: r.frames or (0, 0))
    ranges = [r.frames for r in records if r.frames is not None]
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        if start != end + 1:
            raise FarmError(
                f"the capture parts in {work.root} do not join up ({end} then {start})",
                hint="submit the scene again (its parts come from different submissions)",
            )
    try:  # the record is a file on shared storage: its pattern names a file in frames/, no more
        staged = confined(work.frames, records[0].pattern or "", keep=True)
    except UnsafePathError as exc:
        raise FarmError(
            f"capture part {records[0].part}'s record in {work.root} names its frames "
            f"{exc.message}",
            hint="run the job's capture steps again (the record was not written by them)",
        ) from None
    return staged, (ranges[0][0], ranges[-1][1]), records[0].fps
