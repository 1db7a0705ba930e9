"""``@username`` in a note: an ftrack ``Recipient`` of that user (``text_mentioned``), as ftrack's
own notes record a mention. Names that are no User's are left as text (nothing is answered
about them: a note's writer learns nothing of who exists).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List

#: a mention: "@" and a username (letters, digits, . _ -), not in a word; a "." or "-" it ends
#: with is the sentence's, not the name's (:func:`mentioned` takes them off: one way to match
#: each character, so the pattern is linear)
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*)")
#: at most this many people are mentioned by one note (the rest stay text)
MAX_MENTIONS = 20


def mentioned(content: str) -> List[str]:
    """The usernames ``content`` mentions, each once, in order."""
    names = dict.fromkeys(m.group(1).rstrip(".-") for m in MENTION.finditer(content))
    return list(names)[:MAX_MENTIONS]


def mention_operations(
    note_id: str, content: str, users_named: Callable[[Iterable[str]], List[Dict[str, Any]]]
) -> List[Dict[str, Any]]:
    """The ``Recipient`` creates of a new note's mentions (``users_named(names)``: the Users
    with those usernames, ``id`` and ``username``)."""
    names = mentioned(content)
    if not names:
        return []
    by_name = {str(u["username"]): str(u["id"]) for u in users_named(names)}
    operations = []
    for name in names:
        user_id = by_name.get(name)
        if user_id is None:
            continue
        data = {"note_id": note_id, "resource_id": user_id, "text_mentioned": f"@{name}"}
        operations.append({
            "action": "create", "entity_type": "Recipient", "entity_key": [note_id, user_id],
            "entity_data": dict(data, __entity_type__="Recipient"),
        })  # fmt: skip
    return operations
