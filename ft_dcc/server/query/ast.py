"""The parsed form of an ftrack query expression."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union


@dataclass(frozen=True)
class Literal:
    """A value as written: its text and whether it was quoted (typed later by its attribute)."""

    text: str
    quoted: bool


@dataclass
class Comparison:
    path: Tuple[str, ...]
    operator: str  # is, is_not, in, not_in, like, not_like, gt, ge, lt, le
    value: Union[Literal, List[Literal], Query]


@dataclass
class RelationTest:
    path: Tuple[str, ...]
    relation: str  # has | any
    criteria: Optional[Criteria]


@dataclass
class Not:
    operand: Criteria


@dataclass
class BoolOp:
    operator: str  # and | or
    operands: List[Criteria]


Criteria = Union[Comparison, RelationTest, Not, BoolOp]


@dataclass
class Query:
    entity_type: str
    projections: List[Tuple[str, ...]] = field(default_factory=list)
    where: Optional[Criteria] = None
    order_by: List[Tuple[Tuple[str, ...], bool]] = field(default_factory=list)  # (path, descending)
    offset: Optional[int] = None
    limit: Optional[int] = None
    aggregates: List[Tuple[str, Tuple[str, ...]]] = field(default_factory=list)  # (fn, path)
    group_by: List[Tuple[str, ...]] = field(default_factory=list)

    @property
    def is_aggregate(self) -> bool:
        """Group-by/aggregate queries answer flat rows, not entities."""
        return bool(self.aggregates or self.group_by)
