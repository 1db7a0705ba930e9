"""What an artist reads after a publish, the same in every host.

:func:`artist_message` gives a one-line outcome (for a status line or a dialog's first line), the
details (further errors, warnings) and the review link; ``text`` joins them for a dialog.
"""

from __future__ import annotations

from typing import List, Tuple

import attr

from ft_dcc.publish.report import PublishReport


@attr.s(frozen=True, auto_attribs=True)
class ArtistMessage:
    """``outcome`` is "published", "queued" or "failed"; ``headline`` one line saying it;
    ``short`` a few words for a narrow status line (a sidebar)."""

    outcome: str
    headline: str
    details: Tuple[str, ...] = ()
    review_url: str = ""
    short: str = ""

    @property
    def text(self) -> str:
        """The whole message for a dialog: headline, details, then the review link."""
        lines: List[str] = [self.headline, *self.details]
        if self.review_url:
            lines.append(f"Review: {self.review_url}")
        return "\n".join(lines)


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
    )
