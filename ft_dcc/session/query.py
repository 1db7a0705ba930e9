"""Lazy query results with paging, and helpers that build query expressions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator, List, Optional, Protocol, Sequence, Tuple

from ft_dcc.exceptions import MultipleResultsFoundError, NoResultFoundError
from ft_dcc.protocol.query_text import quote

if TYPE_CHECKING:
    from ft_dcc.session.entity import Entity

#: rows per page while iterating, unless the caller gives ``page_size``
PAGE_SIZE = 500
#: rows per page when the caller asks for the whole result (``all()``, ``len()``) and gave no
#: ``page_size``: a read of a few thousand rows is one request, not one per 500 rows
LARGE_PAGE = 5000

_TRAILING_PAGING = re.compile(
    r"^(?P<body>.*?)(?:\s+offset\s+(?P<offset>\d+))?(?:\s+limit\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def key_condition(primary_key: Sequence[str], keys: Iterable[Sequence[str]]) -> str:
    """``where`` criteria matching entities by primary key.

    ``id in (...)`` for simple keys, ``(a is .. and b is ..) or ...`` for composite ones.
    """
    keys = list(keys)
    if len(primary_key) == 1:
        if len(keys) == 1:
            return f"{primary_key[0]} is {quote(keys[0][0])}"
        return f"{primary_key[0]} in ({', '.join(quote(k[0]) for k in keys)})"
    clauses = [
        "(" + " and ".join(f"{name} is {quote(v)}" for name, v in zip(primary_key, key)) + ")"
        for key in keys
    ]
    return " or ".join(clauses)


def split_paging(expression: str) -> Tuple[str, Optional[int], Optional[int]]:
    """``(expression without trailing offset/limit, offset or None, limit or None)``."""
    match = _TRAILING_PAGING.match(expression.strip())
    assert match is not None
    offset = match.group("offset")
    limit = match.group("limit")
    return (
        match.group("body").strip(),
        int(offset) if offset is not None else None,
        int(limit) if limit is not None else None,
    )


class QuerySession(Protocol):
    """What a query result asks of its session (``ft_dcc.Session`` provides it)."""

    def _with_projections(self, expression: str) -> str: ...

    def _query_page(
        self, expression: str, group: List[Entity]
    ) -> Tuple[List[Entity], Optional[int]]: ...


class QueryResult:
    """The entities matching a query, fetched page by page as you iterate.

    ``all()`` loads everything, ``first()`` asks for one row and ``one()`` for two (to detect
    duplicates). All entities of one result are loaded "together": reading a missing attribute
    on one of them loads it for all of them in a single request.
    """

    def __init__(
        self, session: QuerySession, expression: str, page_size: Optional[int] = None
    ) -> None:
        self.session = session
        body, offset, limit = split_paging(session._with_projections(expression))
        self.expression = body
        self._start = offset or 0
        self._limit = limit
        self.page_size = max(1, int(page_size or PAGE_SIZE))
        self._whole_page = self.page_size if page_size else max(self.page_size, LARGE_PAGE)
        self._results: List[Entity] = []
        self._next_offset: Optional[int] = self._start
        self._group: List[Entity] = []

    def __repr__(self) -> str:
        return f"<QueryResult {self.expression!r}>"

    def _fetch_more(self, size: int = 0) -> bool:
        if self._next_offset is None:
            return False
        size = size or self.page_size
        if self._limit is not None:
            remaining = self._limit - len(self._results)
            if remaining <= 0:
                self._next_offset = None
                return False
            size = min(size, remaining)
        entities, next_offset = self.session._query_page(
            f"{self.expression} offset {self._next_offset} limit {size}", self._group
        )
        self._results.extend(entities)
        # An empty page ends the result even if the server still offers a next offset.
        self._next_offset = next_offset if entities else None
        return bool(entities)

    def __iter__(self) -> Iterator[Entity]:
        index = 0
        while True:
            while index < len(self._results):
                yield self._results[index]
                index += 1
            if not self._fetch_more():
                return

    def __len__(self) -> int:
        return len(self.all())

    def __getitem__(self, index: Any) -> Any:
        return self.all()[index]

    def all(self) -> List[Entity]:
        """Every matching entity (fetching the remaining pages, ``LARGE_PAGE`` rows at a time)."""
        while self._fetch_more(self._whole_page):
            pass
        return list(self._results)

    def one(self) -> Entity:
        """The single matching entity; ``NoResultFoundError`` / ``MultipleResultsFoundError``."""
        entities, _ = self.session._query_page(f"{self.expression} limit 2", self._group)
        if not entities:
            raise NoResultFoundError(f"No result found for query: {self.expression}")
        if len(entities) > 1:
            raise MultipleResultsFoundError(
                f"More than one result found for query: {self.expression}",
                hint="narrow the query, or use first() or all()",
            )
        return entities[0]

    def first(self) -> Optional[Entity]:
        """The first matching entity or ``None``."""
        offset = f" offset {self._start}" if self._start else ""
        entities, _ = self.session._query_page(f"{self.expression}{offset} limit 1", self._group)
        return entities[0] if entities else None
