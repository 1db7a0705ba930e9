"""What an artist reads after a publish, the same in every host.

:func:`artist_message` gives a one-line outcome (for a status line or a dialog's first line), the
details (further errors, warnings), the review link and the repairs the failed checks offer;
``text`` joins them for a dialog. A host offers the repairs as a "Repair and publish" button (the
Maya and Nuke dialogs, the Blender panel) that publishes the same request again with
``repair=True``: the pipeline runs each repair in the host, checks again once, and publishes when
every check then passes.
"""

from __future__ import annotations

from typing import List, Tuple

import attr

from ft_dcc.publish.common.report import PublishReport

#: the button (or menu entry) a host offers when a failed check has a repair
REPAIR_BUTTON = "Repair and publish"

@attr.s(frozen=True, auto_attribs=True)
class RepairOffer:
    """A repair a failed check offers (its pyblish ``Action``): ``label`` is the repair's
    ("Add the task as ticket"), ``check`` the failed check's label and ``message`` what it said."""

    label: str
    check: str
    message: str = ""


@attr.s(frozen=True, auto_attribs=True)
class ArtistMessage:
    """``outcome`` is "published", "queued" or "failed"; ``headline`` one line saying it;
    ``short`` a few words for a narrow status line (a sidebar); ``repairs`` what the failed
    checks offer to fix (a host shows :data:`REPAIR_BUTTON` when there is any)."""

    outcome: str
    headline: str
    details: Tuple[str, ...] = ()
    review_url: str = ""
    short: str = ""
    repairs: Tuple[RepairOffer, ...] = ()

    @property
    def repair_note(self) -> str:
        """What the repair button does, in plain words ('' when nothing is offered)."""
        if not self.repairs:
            return ""
        offered = ", ".join(f"{o.label!r} (for {o.check!r})" for o in self.repairs)
        return (
            f"{REPAIR_BUTTON}: runs {offered} in this scene, checks again, and publishes when "
            "every check then passes."
        )

    @property
    def text(self) -> str:
        """The whole message for a dialog: headline, details, the repair offered, then the
        review link."""
        lines: List[str] = [self.headline, *self.details]
        if self.repairs:
            lines += ["", self.repair_note]
        if self.review_url:
            lines.append(f"Review: {self.review_url}")
        return "\n".join(lines)


def repair_offers(report: PublishReport) -> Tuple[RepairOffer, ...]:
    """The repairs the failed checks of ``report`` offer, each once, in step order."""
    offers = [
        RepairOffer(label=label, check=step.label, message=step.error or "")
        for step in report.failed_steps
        for label in step.repairs
    ]
    return tuple(dict.fromkeys(offers))


def artist_message(report: PublishReport) -> ArtistMessage:
    """The outcome of ``report`` in the artist's words (the step list stays in the log)."""
    details = [f"Also: {error}" for error in report.errors[1:]]
    details += [f"Warning: {warning}" for warning in report.warnings]
    published = report.ok and not report.queued
    if published:
        short = f"Published v{report.version_number:03d}" if report.version_number else "Published"
    else:
        short = "Queued: server offline" if report.queued else "Not published"
    return ArtistMessage(
        short=short,
        outcome=report.status,
        headline=report.summary(),
        details=tuple(details),
        review_url=(report.review_url or "") if published else "",
        repairs=() if report.ok else repair_offers(report),
    )
