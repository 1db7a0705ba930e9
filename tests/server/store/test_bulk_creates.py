"""A batch of creates of one type costs a handful of statements, however many creates it holds
(a bulk import, ``session.commit()`` of thousands of new rows), and answers exactly as the same
creates sent one by one: the same replies, the same numbering, the same refusal of a bad row (the
whole batch, naming it, nothing written). On SQLite and PostgreSQL, through the Store; the
statements are counted (never timed)."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.store.store import Store

from ..store_helpers import create, new_id, ref

#: statements a 200-create batch may run beyond a 20-create one (lists of ids read in chunks)
SLACK = 6


@contextlib.contextmanager
def counted(store: Store) -> Iterator[List[str]]:
    """Every statement the store's engine runs inside the block (an executemany is one)."""
    seen: List[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", note)


def _project(store: Store, user_id: str) -> str:
    ident = new_id()
    store.execute([create("Project", ident, name="p" + ident[:8], full_name="bulk")], user_id)
    return ident


def _asset(store: Store, user_id: str, project: str) -> str:
    shot, asset = new_id(), new_id()
    [kind] = (
        store.query('select id from AssetType where short is "geo"')
        or store.query("select id from AssetType")[:1]
    )
    store.execute([create("Shot", shot, name="sh", parent=ref("Project", project)),
                   create("Asset", asset, name="plate", parent=ref("Shot", shot),
                          type=ref("AssetType", kind["id"]))], user_id)  # fmt: skip
    return asset


def _session(store: Store, user_id: str, project: str) -> Tuple[str, List[str]]:
    """A review session and 200 versions to put in it."""
    session = new_id()
    store.execute([create("ReviewSession", session, name="dailies " + session[:6],
                          project=ref("Project", project))], user_id)  # fmt: skip
    asset = _asset(store, user_id, project)
    versions = [new_id() for _ in range(200)]
    store.execute([create("AssetVersion", v, asset=ref("Asset", asset)) for v in versions],
                  user_id)  # fmt: skip
    return session, versions


Maker = Callable[[Store, str, int], List[Dict[str, Any]]]


def shots(store: Store, user_id: str, count: int) -> List[Dict[str, Any]]:
    project = _project(store, user_id)
    return [create("Shot", new_id(), name=f"sh{n:04d}", parent=ref("Project", project),
                   priority_id="9661b320-3a0c-11e2-81c1-0800200c9a66")
            for n in range(count)]  # fmt: skip


def numbered_versions(store: Store, user_id: str, count: int) -> List[Dict[str, Any]]:
    """Versions the server numbers (no ``version`` sent), all of one asset."""
    asset = _asset(store, user_id, _project(store, user_id))
    return [create("AssetVersion", new_id(), asset=ref("Asset", asset), comment=f"take {n}")
            for n in range(count)]  # fmt: skip


def session_items(store: Store, user_id: str, count: int) -> List[Dict[str, Any]]:
    """Items the server orders (no ``sort_order``), as the desk's "add" sends them."""
    session, versions = _session(store, user_id, _project(store, user_id))
    return [create("ReviewSessionObject", new_id(), asset_version=ref("AssetVersion", version),
                   review_session=ref("ReviewSession", session), name="plate",
                   description="", version=f"v{n + 1:03d}")
            for n, version in enumerate(versions[:count])]  # fmt: skip


def item_notes(store: Store, user_id: str, count: int) -> List[Dict[str, Any]]:
    """Notes on a session's items, naming their parent's type (``parent_type``), two on each
    item as a dailies' notes are: each note's change names its ancestry (item, session,
    project), read in the item's table, not looked for in each table in turn."""
    items = session_items(store, user_id, (count + 1) // 2)
    store.execute(items, user_id)
    return [create("Note", new_id(), content=f"note {n}", parent_type="ReviewSessionObject",
                   parent_id=items[n // 2]["entity_key"][0])
            for n in range(count)]  # fmt: skip


MAKERS: Dict[str, Maker] = {
    "shots": shots,
    "numbered versions": numbered_versions,
    "session items": session_items,
    "notes on items": item_notes,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_batch_of_creates_costs_the_same_statements_at_ten_times_the_creates(
    store: Store, user_id: str, kind: str
) -> None:
    make = MAKERS[kind]
    few, many = make(store, user_id, 20), make(store, user_id, 200)
    with counted(store) as small:
        store.execute(few, user_id)
    with counted(store) as big:
        replies = store.execute(many, user_id)

    assert len(replies) == 200
    assert len(big) <= len(small) + SLACK, (kind, len(small), len(big), _most(big))


def _most(seen: List[str]) -> List[Tuple[int, str]]:
    counts: Dict[str, int] = {}
    for statement in seen:
        counts[statement[:100]] = counts.get(statement[:100], 0) + 1
    return sorted(((n, s) for s, n in counts.items()), reverse=True)[:6]


# -- the same answers -------------------------------------------------------------------------
def _normal(value: Any, names: Dict[str, str]) -> Any:
    """``value`` with the ids of ``names`` replaced by their role and times left out."""
    if isinstance(value, dict):
        if value.get("__type__") == "datetime":
            return "<time>"
        return {key: _normal(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item, names) for item in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def _roles(operations: List[Dict[str, Any]]) -> Dict[str, str]:
    """Each id the creates name, by its role: the n-th create's own id, the rows it refers to."""
    names: Dict[str, str] = {}
    for n, operation in enumerate(operations):
        names[operation["entity_key"][0]] = f"<created {n}>"
        for key, value in operation["entity_data"].items():
            if isinstance(value, dict) and "id" in value:
                names.setdefault(value["id"], f"<{key} of {n}>")
            elif key.endswith("_id") and isinstance(value, str):  # a plain id (a note's parent)
                names.setdefault(value, f"<{key} of {n}>")
    return names


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_batch_answers_as_its_creates_sent_one_by_one(
    store: Store, user_id: str, kind: str
) -> None:
    make = MAKERS[kind]
    together, alone = make(store, user_id, 30), make(store, user_id, 30)

    replies = store.execute(together, user_id)
    one_by_one = [store.execute([operation], user_id)[0] for operation in alone]

    assert _normal(replies, _roles(together)) == _normal(one_by_one, _roles(alone))
    if kind == "numbered versions":
        assert [r["data"]["version"] for r in replies] == list(range(1, 31))
        assert all(r["data"]["is_latest_version"] for r in replies)  # each when it was made
    if kind == "session items":
        assert [r["data"]["sort_order"] for r in replies] == list(range(30))


# -- a bad create refuses the whole batch -----------------------------------------------------
def _broken(store: Store, user_id: str, how: str) -> Tuple[List[Dict[str, Any]], str]:
    """200 shot creates whose 150th is broken ``how``; and the project they go in."""
    operations = shots(store, user_id, 200)
    project = operations[0]["entity_data"]["parent"]["id"]
    bad = operations[150]
    if how == "an id already taken":
        taken = new_id()
        store.execute([create("Shot", taken, name="there", parent=ref("Project", project))],
                      user_id)  # fmt: skip
        bad["entity_key"] = [taken]
        bad["entity_data"]["id"] = taken
    elif how == "the id of an earlier create":
        bad["entity_key"] = list(operations[10]["entity_key"])
        bad["entity_data"]["id"] = bad["entity_key"][0]
    elif how == "a deleted id":
        gone = new_id()
        store.execute([create("Shot", gone, name="gone", parent=ref("Project", project))],
                      user_id)  # fmt: skip
        store.execute([{"action": "delete", "entity_type": "Shot", "entity_key": [gone]}],
                      user_id)  # fmt: skip
        bad["entity_key"] = [gone]
        bad["entity_data"]["id"] = gone
    elif how == "an unknown attribute":
        bad["entity_data"]["colour"] = "red"
    elif how == "a parent that does not exist":
        bad["entity_data"]["parent"] = ref("Project", new_id())
    elif how == "a value of the wrong type":
        bad["entity_data"]["bid"] = "a lot"
    return operations, project


def _refusal(store: Store, user_id: str, operations: List[Dict[str, Any]]) -> ApiOperationError:
    with pytest.raises(ApiOperationError) as caught:
        store.execute(operations, user_id)
    return caught.value


HOW = (
    "an id already taken",
    "the id of an earlier create",
    "a deleted id",
    "an unknown attribute",
    "a parent that does not exist",
    "a value of the wrong type",
)


def test_one_bad_create_refuses_the_whole_batch_naming_it(store: Store, user_id: str) -> None:
    for how in HOW:
        operations, project = _broken(store, user_id, how)
        error = _refusal(store, user_id, operations)
        assert error.index == 150, (how, error.message)
        assert error.message.startswith("Operation 150 (create Shot) failed: "), error.message
        stored = store.query(f'select id from Shot where parent_id is "{project}"')
        assert len(stored) == (1 if how == "an id already taken" else 0), how
        if how == "the id of an earlier create":
            continue  # alone it is no error
        # the same words as that create alone gets, in a batch of its own
        alone = _refusal(store, user_id, [operations[150]])
        assert (error.exception, error.detail) == (alone.exception, alone.detail), how
