"""Split a frame range into the parts the capture tasks run in parallel."""

from __future__ import annotations

from typing import List, Optional, Tuple

from ft_dcc.exceptions import FarmError

Range = Tuple[int, int]


def split(start: int, end: int, parts: int) -> List[Range]:
    """``start..end`` (inclusive) as ``parts`` contiguous ranges, sizes differing by at most one
    (fewer parts when there are fewer frames than parts)."""
    if end < start:
        raise FarmError(f"the frame range {start}-{end} ends before it starts")
    if parts < 1:
        raise FarmError(f"a scene needs at least one capture part, not {parts}")
    count = end - start + 1
    parts = min(parts, count)
    size, extra = divmod(count, parts)
    ranges: List[Range] = []
    first = start
    for index in range(parts):
        last = first + size - 1 + (1 if index < extra else 0)
        ranges.append((first, last))
        first = last + 1
    return ranges


def part_range(start: int, end: int, part: int, parts: int) -> Optional[Range]:
    """The frames of part ``part`` (1-based) of ``parts``; None when the range has fewer frames
    than parts and this part has none (the task then captures nothing and succeeds)."""
    if not 1 <= part <= parts:
        raise FarmError(f"part {part} is not one of 1-{parts}")
    ranges = split(start, end, parts)
    return ranges[part - 1] if part <= len(ranges) else None
