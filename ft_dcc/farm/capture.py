"""The capture step: one part of a scene's frames, staged in the scene's work folder.

- files host: the part's frames of the image sequence are copied (every one must exist: a
  missing frame fails the part, and so the job, before anything is published);
- blender: a background Blender opens the scene and captures the part (the Workbench capture
  of ``ft-dcc publish``), through the integration's ``farm_capture.py`` script.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

import attr

from ft_dcc.exceptions import FarmError
from ft_dcc.farm.chunks import part_range
from ft_dcc.farm.staging import PartRecord, WorkFolder

if TYPE_CHECKING:  # pragma: no cover - TypedDicts, for the signatures only
    from ft_dcc.host.headless import HeadlessRequest, Outcome

log = logging.getLogger(__name__)

Range = Tuple[int, int]


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class CapturePart:
    scene: Path
    host: str
    work: WorkFolder
    part: int
    parts: int
    frames: Optional[Range] = None
    camera: Optional[str] = None
    key: Optional[str] = None  # the bundle's publish key: its re-run skips a finished part

    @property
    def stem(self) -> str:
        from ft_dcc.publish.shared.naming import asset_name_from_path

        return asset_name_from_path(self.scene) or "scene"


def capture_or_skip(job: CapturePart) -> Tuple[PartRecord, bool]:
    """``(record, skipped)``: a part this bundle already captured (a re-run) is skipped before
    anything is captured, its record returned; any other part is captured."""
    done = job.work.finished(job.part, job.parts, job.key)
    if done is not None:
        return done, True
    return capture_part(job), False


def capture_part(job: CapturePart) -> PartRecord:
    """Capture ``job``'s part into its work folder and record it."""
    if job.host == "files":
        record = _copy_frames(job)
    elif job.host == "blender":
        record = _blender_frames(job)
    else:
        raise FarmError(
            f"the {job.host} host cannot capture on a farm node without a UI",
            hint="submit it again: ft-dcc farm submit publishes it in one step",
        )
    record = attr.evolve(record, key=job.key)
    job.work.save(record)
    return record


def _staged(job: CapturePart, frame: int, suffix: str) -> Path:
    job.work.frames.mkdir(parents=True, exist_ok=True)
    return job.work.frames / f"{job.stem}.{frame:04d}{suffix}"


def _copy_frames(job: CapturePart) -> PartRecord:
    from ft_dcc.media.sequence import FrameSequence, describe_frames

    sequence = FrameSequence.from_path(job.scene)
    start, end = job.frames or (sequence.first, sequence.last)
    frames = part_range(start, end, job.part, job.parts)
    if frames is None:
        return PartRecord(part=job.part, parts=job.parts, frames=None)
    present = set(sequence.frames)
    missing = [f for f in range(frames[0], frames[1] + 1) if f not in present]
    if missing:
        raise FarmError(
            f"frames {describe_frames(missing)} of {sequence.hash_pattern} are missing "
            f"(capture part {job.part} of {job.parts})",
            hint="render them, then run the job again",
        )
    for frame in range(frames[0], frames[1] + 1):
        shutil.copyfile(sequence.path_for(frame), _staged(job, frame, sequence.tail))
    pattern = f"{job.stem}.####{sequence.tail}"
    return PartRecord(part=job.part, parts=job.parts, frames=frames, pattern=pattern)


def _blender_frames(job: CapturePart) -> PartRecord:
    from ft_dcc.host import headless
    from ft_dcc.host.integrations import find_integration

    integration: Any = find_integration("blender")
    script = Path(sys.modules[type(integration).__module__].__file__ or "").with_name(
        "farm_capture.py"
    )
    if not script.is_file() or not hasattr(integration, "run_script"):
        raise FarmError(
            "the Blender integration installed on this node cannot capture farm parts",
            hint="install the same ft_dcc version on the node as on the submitting machine",
        )
    with tempfile.TemporaryDirectory(prefix="ft_dcc-farm-part-") as tmp:
        request: HeadlessRequest = {
            "frames": list(job.frames) if job.frames else None, "part": job.part,
            "parts": job.parts, "camera": job.camera, "out_dir": str(Path(tmp) / "frames"),
        }  # fmt: skip
        outcome = headless.run_in_host(
            request, job.scene,
            lambda payload: integration.run_script(script, payload, job.scene), "Blender",
        )  # fmt: skip
        if outcome["exit_code"] != 0:
            sys.stderr.write(headless.tail(outcome.get("log", ""), 20))
            raise FarmError(
                f"Blender could not capture part {job.part} of {job.parts} of {job.scene}: "
                f"{outcome['text']}",
                hint=outcome.get("hint") or "run the step with ft-dcc -v to see Blender's output",
            )
        return _move_captured(job, outcome)


def _move_captured(job: CapturePart, outcome: Outcome) -> PartRecord:
    """Move the frames Blender wrote into the work folder, numbered by scene frame."""
    frames = outcome.get("frames")
    if not frames:
        return PartRecord(part=job.part, parts=job.parts, frames=None)
    files: List[str] = outcome["files"]
    start = int(frames[0])
    suffix = Path(files[0]).suffix
    for offset, name in enumerate(files):
        shutil.move(name, str(_staged(job, start + offset, suffix)))
    return PartRecord(
        part=job.part, parts=job.parts, frames=(start, int(frames[1])), fps=outcome.get("fps"),
        pattern=f"{job.stem}.####{suffix}",
    )  # fmt: skip
