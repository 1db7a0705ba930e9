"""The numbers the server gives creates (``AssetVersion.version``, ``ReviewSessionObject.
sort_order``: one more than the highest of their asset or session) while a run of creates is
planned before it is written (``store.writing``).

A create planned but not written yet is not in its table, so ``max(version)`` alone would give
two versions of one asset the same number. :class:`Numbers` keeps, while a run is planned, the
highest number read of each asset (session) and the highest among the run's planned rows, so
each create gets the number it would get were the creates before it written: a statement per
asset, not per create. Forgotten when the run is written.
"""

from __future__ import annotations

from typing import Dict, Hashable, Mapping, Optional, Tuple

#: numbered columns: family -> ((column, the column whose rows it counts among), …)
NUMBERED: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "AssetVersion": (("version", "asset_id"),),
    "ReviewSessionObject": (("sort_order", "review_session_id"),),
}
#: (family, column, scope column, scope value)
Scope = Tuple[str, str, str, object]
#: no number read yet for that scope
MISSING: object = object()


def highest(*numbers: object) -> Optional[object]:
    """The highest of ``numbers`` that are numbers (None when none is)."""
    found = [n for n in numbers if isinstance(n, (int, float)) and not isinstance(n, bool)]
    return max(found) if found else None


class Numbers:
    """The highest numbers read and planned while a run of creates is planned."""

    def __init__(self) -> None:
        #: True while a create of a run is planned (the numbers read then are kept)
        self.planning = False
        self._stored: Dict[Scope, object] = {}
        self._planned: Dict[Scope, object] = {}

    def clear(self) -> None:
        """The run was written (or there is none): its numbers are in the tables now."""
        self._stored.clear()
        self._planned.clear()

    def stored(self, scope: Scope) -> object:
        """The highest number stored in ``scope`` as read for this run, or :data:`MISSING`."""
        if not self.planning or not _numbered(scope):
            return MISSING
        return self._stored.get(scope, MISSING)

    def keep(self, scope: Scope, value: object) -> None:
        if self.planning and _numbered(scope):
            self._stored[scope] = value

    def highest_planned(self, scope: Scope) -> Optional[object]:
        """The highest number of the run's planned creates in ``scope``."""
        return self._planned.get(scope)

    def note(self, family: str, values: Mapping[str, object]) -> None:
        """A create of ``family`` was planned with ``values`` (to be written with the run)."""
        for column, scope_column in NUMBERED.get(family, ()):
            value, scope_value = values.get(column), values.get(scope_column)
            if not isinstance(scope_value, Hashable):
                continue
            scope = (family, column, scope_column, scope_value)
            self._planned[scope] = highest(self._planned.get(scope), value)


def _numbered(scope: Scope) -> bool:
    family, column, scope_column, value = scope
    return (column, scope_column) in NUMBERED.get(family, ()) and isinstance(value, Hashable)
