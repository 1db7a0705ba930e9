"""The batch a farm submission describes: scenes, their tasks and capture parts, one session."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional, Tuple

import attr

#: hosts whose capture runs headless on a node, so a scene's frames split into parallel parts
CHUNKED_HOSTS = ("blender", "files")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_label(text: str, limit: int = 40) -> str:
    """``text`` as letters, digits, ``_.-`` only (OpenJD names and folder names)."""
    return _UNSAFE.sub("_", text).strip("_.")[:limit] or "scene"


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class FarmScene:
    """One scene (or movie, or image sequence) of the batch."""

    index: int  # 1-based, as the job's parameter names count them
    path: Path  # absolute
    host: str
    task: str  # "Project/Seq/Shot/Task" or a task id
    asset_stem: str  # the scene's name without version: the staged frames are named after it
    key: str  # the publish key: a re-run of this bundle finds the version by it
    parts: int = 0  # capture parts (0: no capture step; the publish step reads the input)
    frames: Optional[Tuple[int, int]] = None  # the TD's --frames (as ft-dcc publish --frames)
    #: the range the capture parts share, as ``ft-dcc publish`` decided it at submission (the
    #: settings' handles, ``capture.frame_range``); None: the scene's own, read on the node
    capture_range: Optional[Tuple[int, int]] = None
    #: the rate frames without one play at (an image sequence: the shot's, read at submission)
    rate: Optional[str] = None
    links: Tuple[Path, ...] = ()  # files the scene links (libraries, images): job attachments

    @property
    def label(self) -> str:
        """``01-shot010_anim``: the scene's steps and its work folder are named by it."""
        return f"{self.index:02d}-{safe_label(self.asset_stem)}"

    @property
    def capture_step(self) -> str:
        return f"{self.label} capture"

    @property
    def publish_step(self) -> str:
        return f"{self.label} publish"


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class FarmBatch:
    """Every scene of one submission, published into one review session."""

    scenes: List[FarmScene]
    review_session_name: str
    new_review_session: bool = False  # the name is new, however close to an open session's
    comment: str = ""
    python: str = "python3"  # the command that runs ft_dcc's Python on a node
    camera: Optional[str] = None
    work_dir: Optional[Path] = None  # where steps stage frames (default: the bundle's work/)
    notes: Tuple[str, ...] = ()  # what the submission could not check, or warned of

    @property
    def name(self) -> str:
        count = len(self.scenes)
        what = self.scenes[0].asset_stem if count == 1 else f"{count} scenes"
        return safe_label(f"ft_dcc review {what} - {self.review_session_name}", 60)
