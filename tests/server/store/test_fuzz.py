"""Random hostile operations never crash the Store: a reply list or an ApiOperationError."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.store.store import Store

TYPES = ["Shot", "Task", "Project", "AssetVersion", "Metadata", "Context", "Nope", "FileComponent"]
ATTRIBUTES = ["name", "parent", "id", "version", "size", "metadata", "children", "start_date", "x"]
WORDS = [
    "select",
    "from",
    "where",
    "is",
    "in",
    "(",
    ")",
    ",",
    "and",
    "not",
    "any",
    "has",
    '"',
    "name",
    "Shot",
    "id",
    "parent.name",
    "limit",
    "1",
    "-1",
    "none",
    "order",
    "by",
    "like",
    ".",
]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["str", "int", "float", "bool", "none", "list", "dict", "ref", "date"]
    kind = rng.choice(kinds if depth < 2 else kinds[:5])
    if kind == "str":
        return rng.choice(
            ["", "x", "{}", "'; drop table ft_context; --", "\u00e9\u4e2d", "a" * 300]
        )
    if kind == "int":
        return rng.choice([0, -1, 2**63, 10**30])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e308])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        return {
            rng.choice(ATTRIBUTES): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))
        }
    if kind == "date":
        return {"__type__": "datetime", "value": rng.choice(["2024-01-01T00:00:00", "nope", 5])}
    return {"__entity_type__": rng.choice(TYPES), "id": rng.choice(["x", 1, None, []])}


def random_operation(rng: random.Random) -> Any:
    action = rng.choice(["query", "create", "update", "delete", "bogus", None, 7])
    if action == "query":
        words = [rng.choice(WORDS) for _ in range(rng.randint(0, 12))]
        return {"action": "query", "expression": rng.choice([" ".join(words), None, 5, []])}
    operation: Any = {
        "action": action,
        "entity_type": rng.choice([*TYPES, None, 3]),
        "entity_key": rng.choice([["x"], ["a", "b"], "x", None, [None], [[]], {}]),
        "entity_data": {
            rng.choice(ATTRIBUTES): random_value(rng) for _ in range(rng.randint(0, 4))
        },
    }
    if rng.random() < 0.1:
        return rng.choice([[], "op", 1, None])
    return operation


@pytest.mark.parametrize("seed", range(12))
def test_random_batches_never_crash(tmp_path: Path, seed: int) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    user = store.ensure_seed("test.user")
    rng = random.Random(seed)
    for _ in range(60):
        batch = [random_operation(rng) for _ in range(rng.randint(1, 3))]
        try:
            replies = store.execute(batch, user)
        except ApiOperationError as error:
            assert error.exception and "{" not in error.message and "}" not in error.message
        else:
            assert isinstance(replies, list) and len(replies) == len(batch)
    assert len(store.query("select id from Location")) == 5
