"""What publishing and review need of an ftrack session, as typing protocols.

``ft_dcc.Session`` satisfies :class:`PublishSession` (mypy checks it where the pipeline opens
one), and so does the genuine ``ftrack_api.Session``: the publish functions take either
(``tests/compat`` checks the genuine client's members at run time). Entities are whatever the
session returns; :class:`EntityLike` is the part of them the pipeline reads and writes.
"""

from __future__ import annotations

import os
from typing import (
    Any,
    Callable,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Union,
    runtime_checkable,
)

from ft_dcc.session.event_hub_link import SessionEventHub


@runtime_checkable
class EntityLike(Protocol):
    """An ftrack entity: its type name and a mapping of attribute values."""

    @property
    def entity_type(self) -> str: ...

    def __getitem__(self, key: str) -> Any: ...

    def __setitem__(self, key: str, value: Any) -> None: ...

    def __contains__(self, key: object) -> bool: ...


#: an entity, or its id (helpers that only need the id take either)
EntityOrId = Union[EntityLike, str]


class QueryResultLike(Protocol):
    """The result of ``session.query(expression)``."""

    def __iter__(self) -> Iterator[EntityLike]: ...

    def all(self) -> Sequence[EntityLike]: ...

    def one(self) -> EntityLike: ...

    def first(self) -> Optional[EntityLike]: ...


class ServerLogin(Protocol):
    """Where a session's server is and who it asks as: what a download or an upload of a
    component needs beyond the API (``ft_dcc.Session`` and the genuine client both have it)."""

    @property
    def server_url(self) -> str: ...

    @property
    def api_user(self) -> str: ...

    @property
    def api_key(self) -> str: ...


@runtime_checkable
class PublishSession(Protocol):
    """The members of an ftrack session that publishing and review use."""

    @property
    def server_url(self) -> str: ...

    def query(self, expression: str) -> QueryResultLike: ...

    def create(
        self, entity_type: str, data: Optional[Mapping[str, object]] = None
    ) -> EntityLike: ...

    def delete(self, entity: EntityLike) -> None: ...  # an entity of this session

    def commit(self) -> object: ...

    def rollback(self) -> None: ...

    # each answer's shape depends on its action: read it with ``ft_dcc.session.replies``
    def call(self, operations: Sequence[Mapping[str, object]]) -> List[object]: ...

    def get_widget_url(
        self, name: str, entity: Optional[EntityLike] = None, theme: Optional[str] = None
    ) -> Optional[str]: ...

    def close(self) -> None: ...


class IntegrateSession(PublishSession, Protocol):
    """What the integrate step needs beyond :class:`PublishSession`: ``ft_dcc.Session``'s batched
    uploads to ``ftrack.server`` and its event hub (the genuine client has neither the same way,
    so a publish opens an ``ft_dcc.Session``)."""

    @property
    def event_hub(self) -> SessionEventHub: ...  # made on first use

    def upload_files(
        self,
        files: Sequence[Tuple[Union[str, os.PathLike[str]], str]],
        progress: Optional[Callable[[int, str, float, str], object]] = None,
    ) -> None: ...
