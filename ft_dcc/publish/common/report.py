"""The publish report: what ran, what failed and why, what was written (or queued), and where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import attr

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.common.atomic import atomic_write_json

#: the exit status of a publish that was only queued (the server could not be reached): not
#: 0, so a farm job does not report a review that sits on the node's disk as published; 75 is
#: sysexits' EX_TEMPFAIL ("try again later"). ``ft-dcc queue flush`` exits with it too while
#: the server is still down.
EXIT_QUEUED = 75

#: the ``skipped`` reason of a check an offline publish leaves to the queue flush
DEFERRED = "offline: checked when the queue is flushed"

#: a failed check's problem kept as a warning (``checks.*: warn``)
WARNED = "{label}: {problem} (a warning: the settings turned this check to warn)"


@attr.s(auto_attribs=True, kw_only=True)
class StepResult:
    """One pyblish plugin run (per instance for instance plugins)."""

    plugin: str
    label: str
    stage: str  # collect / validate / extract / integrate
    ok: bool
    duration_ms: float = 0.0
    instance: Optional[str] = None
    messages: List[str] = attr.Factory(list)
    error: Optional[str] = None
    hint: Optional[str] = None
    error_type: Optional[str] = None
    skipped: Optional[str] = None  # why the plugin checked nothing (e.g. no connection)
    studio: bool = False  # a plugin of the studio's (PYBLISHPLUGINPATH), not one of ft_dcc's
    repairs: List[str] = attr.Factory(list)  # the repair actions a failed validator offers
    #: failed as a refusal the artist reads (one of ft_dcc's errors, or any error of a studio
    #: validator: pyblish's way to refuse), not a crash
    refused: bool = False


@attr.s(auto_attribs=True, kw_only=True)
class VersionReport:
    """One version a publish made (or queued): a publish of several reviewables makes several."""

    asset_name: Optional[str] = None
    asset_id: Optional[str] = None
    asset_version_id: Optional[str] = None
    version_number: Optional[int] = None  # None while queued
    component_ids: Dict[str, str] = attr.Factory(dict)
    review_session_object_id: Optional[str] = None

    def label(self) -> str:
        number = f" v{self.version_number:03d}" if self.version_number else ""
        return f"{self.asset_name or 'review'}{number}"


@attr.s(auto_attribs=True, kw_only=True)
class PublishReport:
    """The outcome of one publish; ``ok`` is True when published or queued."""

    ok: bool = False
    queued: bool = False
    steps: List[StepResult] = attr.Factory(list)
    errors: List[str] = attr.Factory(list)  # artist-readable: what went wrong and what to do
    warnings: List[str] = attr.Factory(list)
    task: Optional[str] = None
    task_id: Optional[str] = None
    asset_name: Optional[str] = None
    asset_id: Optional[str] = None
    asset_version_id: Optional[str] = None
    version_number: Optional[int] = None
    component_ids: Dict[str, str] = attr.Factory(dict)  # component name -> id
    review_session_id: Optional[str] = None
    review_session_name: Optional[str] = None
    review_session_object_id: Optional[str] = None
    #: the session's room link, for reviewers: it acts as no one (the owner's own way in is
    #: ``ft-dcc review open SESSION``)
    review_url: Optional[str] = None
    queue_entry: Optional[str] = None
    capture: JsonObject = attr.Factory(dict)
    duration_s: float = 0.0
    #: every version made (or queued), first reviewable first; the fields above are the first's
    versions: List[VersionReport] = attr.Factory(list)

    @property
    def status(self) -> str:
        if self.queued:
            return "queued"
        return "published" if self.ok else "failed"

    @property
    def exit_code(self) -> int:
        """The process exit status: 0 published, :data:`EXIT_QUEUED` (75) only queued, 1 not
        published."""
        if self.ok and self.queued:
            return EXIT_QUEUED
        return 0 if self.ok else 1

    def format(self, verbose: bool = False) -> str:
        """The artist-readable text: the summary, the steps that did not pass (failed,
        skipped, left for the queue flush), each warning once, and where the result is; with
        ``verbose`` every step and its time too (``str(report)``)."""
        return self._text(verbose)

    def __str__(self) -> str:
        return self._text(verbose=True)

    @property
    def failed_steps(self) -> List[StepResult]:
        return [step for step in self.steps if not step.ok]

    def to_dict(self) -> JsonObject:
        data: JsonObject = attr.asdict(self)
        data["status"] = self.status
        return data

    def to_json(self, indent: Optional[int] = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, default=str)

    def save(self, path: Path) -> Path:
        """Write the report as JSON (atomically) and return the path."""
        return atomic_write_json(Path(path), self.to_dict())

    def summary(self) -> str:
        """One or two lines for a status bar or a terminal."""
        if self.queued:
            several = len(self.versions) > 1
            what = f"the {len(self.versions)} reviews are" if several else "the review is"
            return (
                f"Queued: the ftrack server could not be reached; {what} kept in the "
                "offline queue and will be published by 'ft-dcc queue flush'."
            )
        if self.ok and len(self.versions) > 1:
            names = ", ".join(v.label() for v in self.versions)
            where = f" in review session {self.review_session_name!r}"
            return f"Published {len(self.versions)} versions ({names}){where}."
        if self.ok:
            version = f" v{self.version_number:03d}" if self.version_number else ""
            asset = f" of {self.asset_name}" if self.asset_name else ""
            where = (
                f" in review session {self.review_session_name!r}"
                if self.review_session_name
                else ""
            )
            return f"Published{version}{asset}{where}."
        first = self.errors[0] if self.errors else "the publish failed"
        return f"Not published: {first}"

    def _text(self, verbose: bool) -> str:
        lines: List[str] = []
        for step in self.steps:
            if step.ok and not step.skipped and not verbose:
                continue  # a passing step is news only with -v
            mark = "FAIL" if not step.ok else "skip" if step.skipped else "ok  "
            mark = "later" if step.skipped == DEFERRED else mark
            lines.append(f"  [{mark}] {step.stage:<9} {step.label} ({step.duration_ms:.0f} ms)")
            if step.skipped and step.skipped != DEFERRED:
                lines.append(f"         skipped: {step.skipped}")
            if step.error:
                lines.append(f"         {step.error}")
                if step.hint:
                    lines.append(f"         -> {step.hint}")
        if self.errors and not self.steps:
            lines.extend(f"  error: {e}" for e in self.errors)
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        ids = [
            ("task", self.task),
            ("asset", self.asset_name),
            ("asset version", self.asset_version_id),
            ("review session", self.review_session_id),
            ("review object", self.review_session_object_id),
            ("review", self.review_url),
            ("queue entry", self.queue_entry),
        ]
        if not verbose:  # the ids a person uses; -v (and --json) give them all
            ids = [(n, v) for n, v in ids if n in ("task", "asset", "review", "queue entry")]
        extra = [f"  {name}: {value}" for name, value in ids if value]
        if extra:
            lines.extend(["", *extra] if lines else extra)
        return "\n".join([self.summary(), "", *lines] if lines else [self.summary()])


def failed_report(errors: List[str]) -> JsonObject:
    """The report data of a publish that stopped before it made a report (refused options, a
    host that could not start): not published, and why. ``--report FILE`` is then still
    written, so a wrapper reading it never sees a stale one."""
    return PublishReport(ok=False, errors=list(errors)).to_dict()


def repair_line(report: Mapping[str, Any]) -> Optional[str]:
    """How to ask for the repairs the failed checks of ``report`` (its JSON data) offer on the
    command line; None when none offers one. (A host offers a button instead.)"""
    steps = report.get("steps") or []
    offered = [label for step in steps if not step.get("ok") for label in step.get("repairs") or []]
    if not offered:
        return None
    names = ", ".join(repr(label) for label in offered)
    return f"  To run {names} and check again: the same ft-dcc publish with --repair"
