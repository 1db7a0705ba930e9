"""What the cut's modules need of a session: ftrack's ``query``, ``create`` and ``delete`` (the
client's ``ft_dcc.Session``, the genuine ``ftrack_api.Session``, or the desk's batch as the
signed-in person: ``ft_dcc.server.desk.cut_batch``), entities read and written by key."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Protocol


class CutSession(Protocol):
    """The members of a session the cut writes through (not committed: the caller commits)."""

    def query(self, expression: str) -> Any: ...

    def create(self, entity_type: str, data: Optional[Mapping[str, object]] = None) -> Any: ...

    def delete(self, entity: Any) -> None: ...
