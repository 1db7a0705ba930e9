"""The review audit trail over HTTP: every act a review link or the session's owner does is an
entry naming who (invitee, User, room), from where, in one hash chain per session that verifies;
nothing secret lands in it (no link token, API key or passphrase); only an administrator and the
session's creator read it (``ft_dcc.audit``); on SQLite and on PostgreSQL with 4 workers (the
appends of several workers still make one chain)."""

from __future__ import annotations

import ast
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from support import genuine_sessions
from support.trust import add_api_user, call
from web.feedback_fixtures import (
    Dailies,
    Page,
    data_url,
    link,
    make_dailies,
    personal_link,
    stroke_png,
)
from web.test_presenter_api import new_page

from ft_dcc.server.audit import entry as ACTS_MODULE

ACTION = "ft_dcc.audit"


def read_trail(server: Any, session_id: str, user: str, key: str, **more: Any) -> Any:
    """The ``ft_dcc.audit`` reply for ``session_id`` as ``user``."""
    operation = dict(action=ACTION, review_session_id=session_id, **more)
    return call(server, [operation], user=user, key=key)


def trail(server: Any, session_id: str, user: str, key: str, **more: Any) -> Dict[str, Any]:
    response = read_trail(server, session_id, user, key, **more)
    assert response.status_code == 200, response.text
    return dict(response.json()[0])


class Owner:
    """A User (not an administrator) who makes a review session with the genuine client."""

    def __init__(self, server: Any, make: Any) -> None:
        self.user = f"olive{uuid.uuid4().hex[:6]}"
        self.id, self.key = add_api_user(server, self.user)
        self.session = make(api_user=self.user, api_key=self.key)

    def trail(self, server: Any, session_id: str, **more: Any) -> Dict[str, Any]:
        return trail(server, session_id, self.user, self.key, **more)


@pytest.fixture
def owner(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Tuple[Any, Owner]]:
    """(server, the owner)."""
    with genuine_sessions(server_on_each_backend, tmp_path / "cache") as make:
        yield server_on_each_backend, Owner(server_on_each_backend, make)


def review_acts(owner: Owner, dailies: Dailies) -> Dict[str, Page]:
    """Every act a review link does, through the invitee Ann's link, the room link and the
    owner's personal link; the links."""
    ann = link(owner.session, dailies.ann)
    room = link(owner.session, dailies.review_session)
    own = personal_link(owner.session, dailies.review_session)
    item = dailies.objects[0]["id"]
    for page in (ann, room, own):
        assert page.get().status_code == 200
    noted = ann.post("/notes", {"object_id": item, "content": "arm pops", "frame": 3})
    assert noted.status_code == 201, noted.text
    drawn = ann.post("/annotations", {"object_id": item, "frame": 4, "png": data_url(stroke_png())})
    assert drawn.status_code == 201, drawn.text
    assert ann.post("/status", {"object_id": item, "status": "approved"}).status_code == 200
    taken = own.post("/presenter", dict(op="take", **new_page()))
    assert taken.status_code == 200, taken.text
    # a studio note, shared with the session's clients
    studio = own.post("/notes", {"object_id": item, "content": "sky is the client's call"})
    assert studio.status_code == 201, studio.text
    shared = own.post("/share", {"note_id": studio.json()["id"], "shared": True})
    assert shared.status_code == 200 and shared.json()["shared"] is True, shared.text
    return {"ann": ann, "room": room, "own": own}


def session_acts(owner: Owner, dailies: Dailies, passphrase: str) -> None:
    """The owner changes the session (its window, a passphrase), revokes one invitee's links,
    every client link, and removes an invitee."""
    session, review_session = owner.session, dailies.review_session
    review_session["end_date"] = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    review_session["passphrase"] = passphrase
    session.commit()
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for name in (f"invitee_links_revoked_at:{dailies.ann['id']}", "links_revoked_at"):
        session.create("EntitySetting", {"parent_id": review_session["id"], "group": "review",
                                         "parent_type": "ReviewSession",
                                         "name": name, "value": now})  # fmt: skip
        session.commit()
    session.delete(dailies.bob)
    session.commit()


def acts(entries: List[Dict[str, Any]]) -> List[Tuple[str, str]]:
    return [(e["act"], e["who"]) for e in entries]


def test_every_act_is_an_entry_with_who_and_where_in_one_chain(
    owner: Tuple[Any, Owner],
) -> None:
    server, olive = owner
    dailies = make_dailies(olive.session)
    session_id = str(dailies.review_session["id"])
    pages = review_acts(olive, dailies)
    passphrase = f"hunter2-{uuid.uuid4().hex}"
    session_acts(olive, dailies, passphrase)
    answer = olive.trail(server, session_id, verify=True)
    entries = answer["entries"]
    ann, user = f"invitee:{dailies.ann['id']}", f"user:{olive.id}"
    assert acts(entries) == [
        ("session.changed", user), ("session.changed", user), ("session.changed", user),
        ("link.opened", ann), ("link.opened", "room"), ("link.opened", user),
        ("note.created", ann), ("drawing.created", ann), ("verdict.given", ann),
        ("presenter.taken", user), ("note.created", user), ("note.shared", user),
        ("session.changed", user),
        ("link.revoked", user), ("link.revoked", user), ("link.revoked", user),
    ], json.dumps(entries, indent=1)  # fmt: skip
    assert {e["source"] for e in entries} == {"127.0.0.1"}
    assert all(e["review_session_id"] == session_id for e in entries)
    made, invited = entries[0]["detail"], [e["detail"] for e in entries[1:3]]
    assert made["created"] is True and "end_date" in made["keys"]
    assert sorted(d["invitee_added"] for d in invited) == sorted([dailies.ann["id"],
                                                                  dailies.bob["id"]])  # fmt: skip
    assert entries[6]["detail"]["object_id"] == dailies.objects[0]["id"]
    assert entries[6]["detail"]["note_id"] and entries[7]["detail"]["frame"] == 4
    assert entries[8]["detail"]["status"] == "approved"
    assert entries[11]["detail"]["note_id"] == entries[10]["detail"]["note_id"]
    assert entries[11]["detail"]["shared"] is True
    changed = entries[12]["detail"]
    assert changed["keys"] == ["end_date", "passphrase"] and list(changed["values"]) == ["end_date"]
    assert entries[13]["detail"]["invitee_id"] == dailies.ann["id"]
    assert entries[14]["detail"]["links"] == "all client links"
    assert entries[15]["detail"] == {"invitee_id": dailies.bob["id"], "removed": True}
    assert answer["verify"]["ok"] is True and answer["verify"]["checked"] == len(entries)
    assert answer["verify"]["head"] == entries[-1]["hash"]
    # nothing secret: no link's token, no API key, no passphrase
    text = json.dumps(answer)
    secrets = [page.token for page in pages.values()] + [olive.key, server.api_key, passphrase]
    assert not [s for s in secrets if s in text]
    # since: only the entries at or after that time
    later = olive.trail(server, session_id, since=entries[12]["time"])["entries"]
    assert [e["seq"] for e in later] == [e["seq"] for e in entries[12:]]


def test_only_administrators_and_the_owner_read_the_trail(owner: Tuple[Any, Owner]) -> None:
    server, olive = owner
    dailies = make_dailies(olive.session)
    session_id = str(dailies.review_session["id"])
    assert link(olive.session, dailies.ann).get().status_code == 200
    mallory = f"mallory{uuid.uuid4().hex[:6]}"
    _mallory_id, mallory_key = add_api_user(server, mallory)
    before = olive.trail(server, session_id)["entries"]
    for target in (session_id, str(uuid.uuid4())):  # olive's session, and one that is not there
        refused = read_trail(server, target, mallory, mallory_key, verify=True)
        assert refused.status_code == 403, refused.text
        body = refused.json()
        assert body["exception"] == "PermissionError"
        assert "administrator" in body["content"] and "creator" in body["content"]
        assert "link.opened" not in refused.text
    # the administrator reads it; reading adds nothing
    admin = trail(server, session_id, server.api_user, server.api_key)["entries"]
    assert admin == before == olive.trail(server, session_id)["entries"]
    assert acts(admin)[-1] == ("link.opened", f"invitee:{dailies.ann['id']}")


def test_bad_reads_are_told_what_to_send(owner: Tuple[Any, Owner]) -> None:
    server, olive = owner
    for more in ({"review_session_id": "../x"}, {"since": "yesterday"}, {"after": -1}):
        fields: Dict[str, Optional[object]] = {"review_session_id": str(uuid.uuid4())}
        fields.update(more)
        response = call(server, [dict(action=ACTION, **fields)], user=olive.user, key=olive.key)
        assert response.status_code == 400, response.text
        assert response.json()["exception"] == "ValidationError"
    # a seq past any there is (and past 32 bits) reads as nothing after it
    dailies = make_dailies(olive.session)
    far = olive.trail(server, str(dailies.review_session["id"]), after=2**40, verify=True)
    assert far["entries"] == [] and far["next_after"] is None and far["verify"]["ok"] is True


def _named_acts(node: ast.expr) -> List[str]:
    """The act names an argument can be: a string, or either string of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _named_acts(node.body) + _named_acts(node.orelse)
    return []


def test_every_act_the_server_records_is_one_the_trail_takes() -> None:
    """An act the trail does not know is refused when it is recorded, after the act stood (a
    logged error, no entry): sharing a note with the clients was never in the trail so. Every
    act named where the server records one (``record``, ``record_after``, ``record_act``) is in
    :data:`ft_dcc.server.audit.entry.ACTS`."""
    server = Path(ACTS_MODULE.__file__).resolve().parents[1]
    recorders = {"record", "record_after", "record_act"}
    named: Dict[str, List[str]] = {}
    for path in sorted(server.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            # a recorder called, or handed to a thread pool: run_in_threadpool(record_act, ...)
            calls = [(node.func, node.args[1:])]
            if node.args:
                calls.append((node.args[0], node.args[2:]))
            for func, args in calls:
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                for act in _named_acts(args[0]) if name in recorders and args else []:
                    named.setdefault(act, []).append(f"{path.relative_to(server)}:{node.lineno}")
    assert "note.shared" in named and "link.opened" in named, sorted(named)
    unknown = {act: where for act, where in named.items() if act not in ACTS_MODULE.ACTS}
    assert unknown == {}
