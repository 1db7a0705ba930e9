"""A hostile round against the embedded server: a hostile insider (Alice, a User), a removed
invitee and a departed employee (a User whose key is rotated or who is deactivated) attack, while
a bystander (Bob, a User) writes one note at a time and the administrator revokes.

Usage: ``.venv/bin/python bench/hostile_round.py [--seconds 6] [--no-postgres]``

Starts ``ft-dcc server`` on 127.0.0.1 on SQLite, then on a throwaway PostgreSQL cluster with
``--workers 4`` (the tests' PostgreSQL binaries). Attacks, each bounded in count and time:

- **race**: 6 threads query with a departed employee's key across workers while the key is
  rotated, then while the User is deactivated: bytes of 200 replies that END after the revoking
  request was answered;
- **ticket**: a socket.io handshake ticket taken before the key is rotated, used after; and a
  socket opened before: frames it receives after the revocation was answered;
- **forged source**: Alice's hub events claim the administrator's user id and Bob's hub id
  (``source``), and a reply targets Bob's id: what Bob's socket sees, whether Alice catches it;
- **room link**: the room link (``review_url``) on every review route, every presenter op and
  the identity chooser claiming the owner; the removed invitee's link on the same routes;
- **hostile names**: Alice names her asset/component/object with traversal names and adds it
  to the owner's session; the owner runs ``ft-dcc review export`` with each ``--format``: files
  written outside ``--output``;
- **big bodies**: 3,000 queries in one body, 200,000-deep JSON, a 30 MB body, a deep expression;
- **flood**: Alice writes 500-create batches from 2 threads;
- **guessing**: wrong keys for Bob, forged link tokens, forged media signatures;
- **stored row** (#47): Alice writes Bob's session's settings and a project's ft_dcc settings
  through each way a key field is set (data, ``entity_key`` alone, key against data, create then
  update in one batch): any 2xx is a finding;
- **reused id** (#47): Bob deletes a session, Alice creates one with its id and asks for its
  audit trail: any 2xx is a finding;
- **inverted window** (#47): review sessions whose end_date comes before their start_date.
- **proved marks** (#47): a room-link holder adds themselves with the invited client's name and
  e-mail (watermark on): whether they receive the client's copy; then up to 30 room identities:
  the copies made (one for the room expected);
- **room names** (#47): the room link's and a room identity's ``/live`` watchers (e-mails, ids),
  an unnamed invitee's presenter name, the room's page, presenter and feedback once an invitee
  leads and invitees gave verdicts (ids, e-mails), a claim through a revoked invitee link;
- **unknown media** (#47): a review movie stored as .mkv, .avi and without an extension, under
  policy none with and without the watermark: any 2xx to a client link is a finding;
- **in flight** (#47): a 48 MB download read slowly while its invitee's links are revoked (the
  bytes received after), a lead handed to an invitee whose links are then revoked;
- **list window** (#47): a list link and a session opening tomorrow.
- **bounded work** (#47): a session's availability, name and description of 1 MB each, 1 MB of
  escaped quotes in an unterminated JSON string, a 60,000-letter ``X-Forwarded-For``: each
  reply's time, the longest audit detail kept, the bystander's worst write;
- **token spelling** (#47): a passphrase link re-spelled (dots, padding, junk, the MAC's unused
  bit): any page opened or answer judged through a re-spelling is a finding;
- **proxy claims** (#47): ``X-Forwarded-For`` claims from 127.0.0.1 (no proxy configured): the
  audit trail's source must be the peer;
- **audit rows** (#47): 300 refused requests of a revoked invitee link: the rows kept and counted.
- **guesses at once**, **link lock**, **huge bodies**, **limiter cost**: the sign-in's attacks
  (``hostile_signin.py``): 16 and 64 sign-ins of one name at once, made-up and outlived
  one-time links, a body of 128 MB to every route (declared and chunked: the processes' growth
  against the route's limit), the limiter's cost against a whole sign-in as a ratio.

Figures: requests sent, 5xx (from the server's request log: must be 0), stored changes to other
people's rows (snapshots of their rows before and after, read as the administrator: must be 0),
bytes a revoked holder received after its revocation was answered, refusals by status, and the
bystander's worst one-note write latency under each attack. Prints a table, then one JSON line.
Traffic goes to 127.0.0.1 only. Nothing here is asserted on timing: it is a benchmark.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests
from bench_revocation import (
    Socket,
    Stream,
    create,
    new_user,
    ok,
    post,
    review_with_invitee,
    rotate,
    throwaway_postgres,
    update,
)  # fmt: skip
from embedded_server import KEY, USER, Server
from hostile_signin import ATTACKS as SIGNIN_ATTACKS
from hostile_signin import round_args

TESTS = Path(__file__).resolve().parents[1] / "tests"
#: statuses per review route, per link (its token)
ROUTES: Dict[str, Any] = {}
HOSTILE_NAMES = ["../../../../X", "/etc/passwd", "..", "a/../../b", "C:\\evil\\x", "x\x00y",
                 "con", ".hidden", "~/x", "a" * 400, "%2e%2e%2fq", "ok\u202eexe.mp4"]  # fmt: skip


class Tally:
    """Every reply an attack got: count by status, 5xx, bytes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.status: Dict[int, int] = collections.Counter()
        self.sent = 0
        self.after_revocation_bytes = 0
        self.in_flight_bytes = 0
        self.findings: List[str] = []

    def add(self, status: int) -> None:
        with self.lock:
            self.sent += 1
            self.status[status] += 1

    def find(self, what: str) -> None:
        with self.lock:
            self.findings.append(what)


def call(tally: Tally, method: str, url: str, **kw: Any) -> Optional[requests.Response]:
    kw.setdefault("timeout", 120)
    try:
        reply = requests.request(method, url, **kw)
    except requests.RequestException as exc:
        tally.add(-1)
        tally.find(f"{method} {url[:80]}: {type(exc).__name__}")
        return None
    tally.add(reply.status_code)
    return reply


def api(tally: Tally, base: str, ops: Any, user: str, key: str, **kw: Any) -> Optional[Any]:
    headers = {"ftrack-user": user, "ftrack-api-key": key, "ftrack-strict-api": "true"}
    return call(tally, "POST", base + "/api", json=ops, headers=headers, **kw)


# -- the bystander -------------------------------------------------------------------------------
class Bystander:
    """Bob writes one note at a time (0.1 s apart) while an attack runs: the worst latency."""

    def __init__(self, base: str, bob: Tuple[str, str, str], parent: str) -> None:
        self.base, self.bob, self.parent = base, bob, parent
        self.worst = 0.0
        self.failed = 0
        self.writes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Bystander:
        self._thread.start()
        return self

    def _run(self) -> None:
        deadline = time.monotonic() + 600
        while not self._stop.is_set() and time.monotonic() < deadline:
            note = create("Note", content="bystander", parent_id=self.parent,
                          parent_type="Project")  # fmt: skip
            started = time.monotonic()
            reply = post(self.base, [note], user=self.bob[0], key=self.bob[2])
            self.worst = max(self.worst, time.monotonic() - started)
            self.writes += 1
            self.failed += reply.status_code != 200
            self._stop.wait(0.1)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(300)


# -- attacks -------------------------------------------------------------------------------------
def hammer(tally: Tally, base: str, user: str, key: str, revoked: List[float],
           stop: threading.Event) -> None:  # fmt: skip
    query = [{"action": "query", "expression": "select id, name from Project limit 20"}]
    deadline = time.monotonic() + 30
    while not stop.is_set() and time.monotonic() < deadline:
        sent = time.monotonic()
        reply = api(tally, base, query, user, key)
        ended = time.monotonic()
        if reply is None or reply.status_code != 200 or not revoked or ended <= revoked[0]:
            continue
        if sent > revoked[0]:  # asked after the revocation was answered: must be refused
            with tally.lock:
                tally.after_revocation_bytes += len(reply.content)
            tally.find(f"200 to a request sent {(sent - revoked[0]) * 1000:.0f} ms after")
        else:  # in flight across the revocation: counted apart, not a leak of a later ask
            with tally.lock:
                tally.in_flight_bytes += len(reply.content)


def race(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A departed employee's key used from 6 threads while it is rotated, then deactivated."""
    base = w["url"]
    for revoke in ("rotate", "deactivate"):
        name, user_id, key = new_user(base)
        revoked: List[float] = []
        stop = threading.Event()
        threads = [threading.Thread(target=hammer, args=(tally, base, name, key, revoked, stop),
                                    daemon=True) for _ in range(6)]  # fmt: skip
        for thread in threads:
            thread.start()
        time.sleep(min(1.0, seconds / 4))
        op = rotate(user_id) if revoke == "rotate" else update("User", user_id, is_active=False)
        ok(base, [op])
        revoked.append(time.monotonic())  # answered: from here nothing may be served
        time.sleep(seconds / 2)
        stop.set()
        for thread in threads:
            thread.join(60)
        w["skip"].add(user_id)


def ticket(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A handshake ticket taken before the key's rotation, used after; a socket opened before."""
    import websocket

    base, port = w["url"], w["port"]
    name, user_id, key = new_user(base)
    w["skip"].add(user_id)
    held = Socket(base, port, name, key)
    handshake = call(tally, "GET", base + "/socket.io/1/",
                     headers={"ftrack-user": name, "ftrack-api-key": key})  # fmt: skip
    sid = handshake.text.split(":")[0] if handshake is not None else ""
    ok(base, [rotate(user_id)])
    answered = time.monotonic()
    try:
        sock = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/1/websocket/{sid}",
                                           timeout=3)  # fmt: skip
        sock.settimeout(1.0)
        got = 0
        deadline = time.monotonic() + seconds / 2
        sock.send(
            "5:::"
            + json.dumps(
                {
                    "name": "ftrack.event",
                    "args": [
                        {
                            "id": uuid.uuid4().hex,
                            "topic": "ftrack.meta.subscribe",
                            "source": {},
                            "data": {
                                "subscriber": {"id": uuid.uuid4().hex},
                                "subscription": "topic=*",
                            },
                        }
                    ],
                }
            )
        )
        ok(base, [create("Project", name=f"t{uuid.uuid4().hex[:9]}", full_name="T")])
        while time.monotonic() < deadline:
            try:
                frame = sock.recv()
            except Exception:
                break
            if not frame:
                break
            if frame.startswith("5:"):
                got += len(frame)
        tally.add(101)
        if got:
            tally.find(f"stale ticket: {got} event bytes after rotation")
        tally.after_revocation_bytes += got
        sock.close()
    except Exception:
        tally.add(403)  # the ticket was refused at the upgrade
    ok(base, [create("Project", name=f"t{uuid.uuid4().hex[:9]}", full_name="T")])
    held.closed.wait(seconds / 2)
    if held.last > answered and held.events:
        tally.find(f"socket opened before: last frame {1000 * (held.last - answered):.0f} ms "
                   "after the rotation was answered")  # fmt: skip
    held.close()


def forged_source(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Alice claims the administrator's user id and Bob's hub id; a reply targets Bob's id."""
    import websocket

    base, port = w["url"], w["port"]
    alice, bob = w["alice"], w["bob"]
    bob_hub = uuid.uuid4().hex
    seen: Dict[str, List[Dict[str, Any]]] = {"bob": [], "alice": [], "admin": []}

    def connect(who: str, user: Tuple[str, str, str], subscriber: str) -> Any:
        hand = call(tally, "GET", base + "/socket.io/1/",
                    headers={"ftrack-user": user[0], "ftrack-api-key": user[2]})  # fmt: skip
        sock = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/1/websocket/{hand.text.split(':')[0]}", timeout=5
        )
        sock.send(
            "5:::"
            + json.dumps(
                {
                    "name": "ftrack.event",
                    "args": [
                        {
                            "id": uuid.uuid4().hex,
                            "topic": "ftrack.meta.subscribe",
                            "source": {"id": subscriber},
                            "data": {
                                "subscriber": {"id": subscriber},
                                "subscription": "topic=hostile.*",
                            },
                        }
                    ],
                }
            )
        )

        def read() -> None:
            sock.settimeout(0.5)
            deadline = time.monotonic() + seconds + 5
            while time.monotonic() < deadline:
                try:
                    frame = sock.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                except Exception:
                    return
                if frame.startswith("5:"):
                    body = json.loads(frame.split(":", 3)[3])
                    seen[who].extend(body.get("args", []))
                elif frame.startswith("2:"):
                    sock.send("2::")

        threading.Thread(target=read, daemon=True).start()
        return sock

    bob_sock = connect("bob", bob, bob_hub)
    alice_sock = connect("alice", alice, bob_hub)  # claims Bob's hub id as its subscriber
    time.sleep(0.5)
    forged = {"id": uuid.uuid4().hex, "topic": "hostile.forged",
              "source": {"id": bob_hub, "user": {"id": w["admin_id"], "username": USER}},
              "data": {"x": 1}}  # fmt: skip
    reply = {"id": uuid.uuid4().hex, "topic": "hostile.reply", "target": f"id={bob_hub}",
             "inReplyToEvent": uuid.uuid4().hex, "source": {"id": bob_hub}, "data": {}}  # fmt: skip
    clean = {"id": uuid.uuid4().hex, "topic": "hostile.clean", "source": {}, "data": {}}
    admin_sock = connect("admin", (USER, w["admin_id"], KEY), uuid.uuid4().hex)
    time.sleep(0.3)
    admins_reply = dict(reply, id=uuid.uuid4().hex, source={})
    for sock, event in (
        (alice_sock, clean),
        (alice_sock, forged),
        (alice_sock, reply),
        (admin_sock, admins_reply),
    ):
        sock.send("5:::" + json.dumps({"name": "ftrack.event", "args": [event]}))
        tally.add(101)
    time.sleep(min(2.0, seconds / 2))
    from_alice = {clean["id"], forged["id"], reply["id"]}
    for event in seen["bob"]:
        source = event.get("source") or {}
        user = source.get("user") or {}
        claimed = (user.get("username"), user.get("id"))
        if event.get("id") in from_alice and claimed != (alice[0], alice[1]):
            tally.find(f"Bob received Alice's {event.get('topic')} as {user}")
        if event.get("id") in from_alice and source.get("id") == bob_hub:
            tally.find(f"Bob received {event.get('topic')} with his own hub id as source")
    for event in seen["alice"]:
        if event.get("id") == admins_reply["id"]:
            tally.find("Alice caught the administrator's reply targeted at Bob's hub id")
    w["figures_extra"]["hub_events_bob_saw"] = [
        (
            e.get("topic"),
            (e.get("source") or {}).get("id") == bob_hub,
            ((e.get("source") or {}).get("user") or {}).get("id") == alice[1],
        )
        for e in seen["bob"]
    ]
    w["figures_extra"]["hub_events_alice_saw"] = [e.get("topic") for e in seen["alice"]]
    for sock in (bob_sock, alice_sock, admin_sock):
        sock.close()


def link_token(base: str, kind: str, ident: str, **more: Any) -> str:
    widget = ok(base, [dict(action="get_widget_url", name="review_session", entity_type=kind,
                            entity_key=[ident], **more)])  # fmt: skip
    return urllib.parse.parse_qs(urllib.parse.urlparse(widget[0]["widget_url"]).query)["token"][0]


def every_route(tally: Tally, base: str, session: str, token: str, ids: Dict[str, str],
                writes: Dict[str, int]) -> None:  # fmt: skip
    room = f"{base}/review/{session}"
    page = uuid.uuid4().hex
    routes = ROUTES.setdefault(token, collections.defaultdict(list))
    bodies: List[Tuple[str, str, Any]] = [
        ("GET", "", None),
        ("GET", "/notes", None),
        ("GET", "/feedback", None),
        ("GET", "/presenter", None),
        ("GET", "/whoami", None),
        ("GET", f"/media/{uuid.uuid4()}", None),
        ("POST", "/notes", {"object_id": ids["item"], "content": "room", "frame": 1}),
        ("POST", "/status", {"object_id": ids["item"], "status": "approved"}),
        ("POST", "/annotations", {"object_id": ids["item"], "frame": 1, "png": "data:,"}),
        ("POST", "/annotations/range", {"note_id": str(uuid.uuid4()), "frame": 1}),
        ("POST", "/whoami", {"key": "u:" + ids["admin_id"]}),
        ("POST", "/whoami", {"invitee_id": ids["invitee"], "user_id": ids["admin_id"]}),
    ]
    for op in ("take", "claim", "stop", "hand"):
        bodies.append(("POST", "/presenter", {"op": op, "page": page, "secret": page,
                                              "to": "u:" + ids["admin_id"]}))  # fmt: skip
    for method, tail, body in bodies:
        reply = call(tally, method, room + tail, params={"token": token}, json=body, timeout=30)
        if reply is not None:
            routes[f"{method} {tail or '/'}"].append(reply.status_code)
        if reply is not None and method == "POST" and reply.status_code < 300:
            writes[tail] = writes.get(tail, 0) + 1
        if reply is not None and tail == "/presenter" and method == "GET" and reply.ok:
            you = reply.json().get("you", {})
            if you.get("manager") or you.get("candidates"):
                tally.find("a link lists candidates or manages: " + json.dumps(you)[:120])


def room_link(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """The room link on every route; the removed invitee's link on every route."""
    base = w["url"]
    ids = review_with_invitee(base)
    ids["admin_id"] = w["admin_id"]
    w["skip"].add(ids["invitee"])
    room = link_token(base, "ReviewSession", ids["session"])
    invitee = link_token(base, "ReviewSessionInvitee", ids["invitee"])
    room_writes: Dict[str, int] = {}
    every_route(tally, base, ids["session"], room, ids, room_writes)
    stream = Stream(base, ids["session"], invitee)
    ok(base, [{"action": "delete", "entity_type": "ReviewSessionInvitee",
               "entity_key": [ids["invitee"]]}])  # fmt: skip
    answered = time.monotonic()
    ok(base, [create("Note", content="after", parent_id=ids["item"],
                     parent_type="ReviewSessionObject")])  # fmt: skip
    removed_writes: Dict[str, int] = {}
    every_route(tally, base, ids["session"], invitee, ids, removed_writes)
    stream.ended.wait(min(3.0, seconds))
    if stream.last > answered + 0.05:
        tally.find(f"removed invitee's stream: a byte {1000 * (stream.last - answered):.0f} ms "
                   "after removal was answered")  # fmt: skip
    stream.watching = False
    stream.response.close()
    w["figures_extra"]["routes"] = {
        "room link": dict(ROUTES.pop(room, {})),
        "removed invitee": dict(ROUTES.pop(invitee, {})),
    }
    w["figures_extra"]["room_link_writes_accepted"] = room_writes
    w["figures_extra"]["removed_invitee_writes_accepted"] = removed_writes
    if removed_writes:
        tally.find(f"removed invitee wrote: {removed_writes}")


def big_bodies(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    base, alice = w["url"], w["alice"]
    reads = [{"action": "query", "expression": "select id, content from Note"}] * 3000
    shapes = {
        "3000 queries": json.dumps(reads),
        "200000-deep": "[" * 200_000 + "]" * 200_000,
        "30 MB body": json.dumps([{"action": "query", "expression": "x" * (30 << 20)}]),
        "deep expression": json.dumps([{"action": "query", "expression":
                                        "Note where " + "(" * 5000 + "id is 1" + ")" * 5000}]),
    }  # fmt: skip
    sizes = {}
    for label, body in shapes.items():
        for _ in range(2):
            started = time.monotonic()
            reply = call(tally, "POST", base + "/api", data=body.encode(), headers={
                "ftrack-user": alice[0], "ftrack-api-key": alice[2],
                "content-type": "application/json"}, timeout=300)  # fmt: skip
            if reply is not None:
                sizes[label] = (
                    reply.status_code,
                    len(reply.content),
                    round(time.monotonic() - started, 1),
                    reply.text[:160],
                )
    w["figures_extra"]["big_bodies"] = sizes


def flood(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    base, alice = w["url"], w["alice"]
    stop = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < stop:
            ops = [create("Note", content="flood", parent_id=w["alice_project"],
                          parent_type="Project") for _ in range(500)]  # fmt: skip
            reply = api(tally, base, ops, alice[0], alice[2], timeout=300)
            if reply is not None and reply.ok:
                w["skip"].update(op["entity_key"][0] for op in ops)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 600)


def guessing(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    base, bob = w["url"], w["bob"]
    ids = review_with_invitee(base)
    good = link_token(base, "ReviewSession", ids["session"])
    deadline = time.monotonic() + seconds
    guesses = 0
    while guesses < 300 and time.monotonic() < deadline:
        guesses += 1
        api(tally, base, [{"action": "query", "expression": "select id from User"}], bob[0],
            uuid.uuid4().hex)  # fmt: skip
        forged = good[:-6] + uuid.uuid4().hex[:6]
        call(tally, "GET", f"{base}/review/{ids['session']}/notes", params={"token": forged},
             timeout=30)  # fmt: skip
        call(tally, "GET", f"{base}/review/{ids['session']}/media/{uuid.uuid4()}",
             params={"token": good, "sig": uuid.uuid4().hex, "expires": "9999999999"},
             timeout=30)  # fmt: skip
    w["figures_extra"]["guesses"] = guesses
    # Bob's own key still works after the burst against his name (no lock-out of the victim)
    reply = api(tally, base, [{"action": "query", "expression": "select id from User limit 1"}],
                bob[0], bob[2])  # fmt: skip
    if reply is None or reply.status_code != 200:
        tally.find(
            f"Bob's right key refused after guesses against him: "
            f"{reply.status_code if reply is not None else 'error'}"
        )


def plant(mallory: Any, dailies: Any, parts: Tuple[Any, Any, Any, Path], bad: str,
          order: int) -> None:  # fmt: skip
    """Alice's version named ``bad`` everywhere, with a movie, in the owner's session."""
    project, asset_type, location, source = parts
    asset = mallory.create("Asset", {"name": bad, "parent": project, "type": asset_type})
    version = mallory.create("AssetVersion", {"asset": asset, "comment": bad})
    mallory.commit()
    component = version.create_component(
        str(source), data={"name": "ftrackreview-mp4", "file_type": bad}, location=location
    )
    component["metadata"]["ftr_meta"] = json.dumps({"frameIn": 0, "frameOut": 10,
                                                    "frameRate": 24})  # fmt: skip
    mallory.create(
        "ReviewSessionObject",
        {
            "review_session": mallory.get("ReviewSession", dailies.review_session["id"]),
            "asset_version": version,
            "name": bad,
            "version": bad,
            "sort_order": order,
        },
    )
    mallory.create("Note", {"content": bad, "parent": version})
    mallory.commit()


def hostile_names(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Alice names her version's parts with traversal names in the owner's session; the owner
    exports with each format: files outside --output."""
    import ftrack_api

    sys.path.insert(0, str(TESTS))
    from web.feedback_fixtures import make_dailies

    base, alice = w["url"], w["alice"]
    cache = Path(w["tmp"]) / "schemas"
    env = dict(os.environ, FTRACK_SERVER=base, FTRACK_API_USER=USER, FTRACK_API_KEY=KEY,
               FTRACK_API_SCHEMA_CACHE_PATH=str(cache))  # fmt: skip
    os.environ["FTRACK_API_SCHEMA_CACHE_PATH"] = str(cache)
    owner = ftrack_api.Session(server_url=base, api_user=USER, api_key=KEY,
                               auto_connect_event_hub=False)  # fmt: skip
    mallory = ftrack_api.Session(server_url=base, api_user=alice[0], api_key=alice[2],
                                 auto_connect_event_hub=False)  # fmt: skip
    dailies = make_dailies(owner)
    project = mallory.get("Project", dailies.review_session["project"]["id"])
    asset_type = mallory.query('AssetType where short is "upload"').one()
    location = mallory.query('Location where name is "ftrack.server"').one()
    payload = b"ATTACKER " + uuid.uuid4().hex.encode()
    source = Path(w["tmp"]) / "bytes.bin"
    source.write_bytes(payload)
    cache.mkdir(parents=True, exist_ok=True)
    for n, bad in enumerate(HOSTILE_NAMES[:6]):
        try:
            plant(mallory, dailies, (project, asset_type, location, source), bad, 20 + n)
        except Exception as exc:  # the server refused this name: a refusal, not a failure
            tally.add(400)
            mallory.rollback()
            w["figures_extra"].setdefault("names_refused", []).append(
                (bad[:20], f"{type(exc).__name__}: {str(exc)[-120:]}")
            )
        else:
            tally.add(201)
    outside_total = 0
    for fmt in ("otio", "edl", "fcpxml", "csv", "pdf"):
        root = Path(w["tmp"]) / f"export-{fmt}"
        output = root / "a" / "b" / "out"
        done = subprocess.run(
            [sys.executable, "-m", "ft_dcc", "review", "export", "Dailies", "--project",
             dailies.review_session["project"]["name"], "--output", str(output), "--format", fmt],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        tally.add(done.returncode)
        written = [p for p in root.rglob("*") if p.is_file() or p.is_symlink()]
        outside = [p for p in written if output not in p.parents]
        outside_total += len(outside)
        if outside:
            tally.find(f"export --format {fmt} wrote outside --output: {outside[:3]}")
        if "Traceback" in done.stderr:
            tally.find(f"export --format {fmt}: a traceback: {done.stderr[-300:]}")
        w["figures_extra"].setdefault("export", {})[fmt] = {
            "rc": done.returncode,
            "files": len(written),
            "outside": len(outside),
            "note": done.stderr.strip().splitlines()[-1][:160] if done.returncode else "",
        }
    owner.close()
    mallory.close()


# -- #47: rights on the row as stored, no right from an id alone, the review window --------------
def _refused_or_find(tally: Tally, reply: Optional[requests.Response], what: str) -> None:
    """An attempt that must be refused: a 2xx is a finding (a 5xx is counted from the log)."""
    if reply is not None and reply.status_code < 300:
        tally.find(f"{what}: {reply.status_code} {reply.text[:120]}")


def _setting_op(key: List[str], data: Dict[str, Any], action: str = "create") -> Dict[str, Any]:
    return {"action": action, "entity_type": "EntitySetting", "entity_key": key,
            "entity_data": dict(data, __entity_type__="EntitySetting")}  # fmt: skip


def stored_row(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Alice reaches Bob's session's settings and a project's ft_dcc settings through every way
    a key field can be set: data, entity_key alone, key against data, create-then-update."""
    base, alice, bob = w["url"], w["alice"], w["bob"]
    bobs = create("ReviewSession", name="bob's", project_id=w["bob_project"])
    mine = create("ReviewSession", name="alice's", project_id=w["alice_project"])
    target, own = bobs["entity_key"][0], mine["entity_key"][0]
    policy = _setting_op([target, "review", "download_policy"],
                         {"parent_type": "ReviewSession", "value": "none"})  # fmt: skip
    ok(base, [bobs, policy], **{"user": bob[0], "key": bob[2]})
    ok(base, [mine], **{"user": alice[0], "key": alice[2]})
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        name = "watermark"  # Bob's session has none yet: a create would add it
        value = {"parent_type": "ReviewSession", "value": "original"}
        tries = {
            "key only": [_setting_op([target, "review", name], value)],
            "data": [_setting_op([target, "review", name], dict(value, parent_id=target,
                                                                 group="review", name=name))],
            "key vs data": [_setting_op([target, "review", name], dict(value, parent_id=own))],
            "revoked 2999": [_setting_op([target, "review", "links_revoked_at"],
                                         {"parent_type": "ReviewSession",
                                          "value": "2999-01-01T00:00:00Z"})],
            "project settings by key": [{
                "action": "create", "entity_type": "Metadata",
                "entity_key": [w["bob_project"], "ft_dcc_settings"],
                "entity_data": {"__entity_type__": "Metadata", "value": "{}"}}],
            "create then update": [
                _setting_op([own, "review", "x" + uuid.uuid4().hex[:6]], value),
                _setting_op([target, "review", "download_policy"], {"value": "original"},
                            "update")],
        }  # fmt: skip
        for label, ops in tries.items():
            reply = api(tally, base, ops, alice[0], alice[2])
            _refused_or_find(tally, reply, f"stored row: {label}")


def reused_id(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Bob deletes his session; Alice creates one with its id and reads its audit trail."""
    base, alice, bob = w["url"], w["alice"], w["bob"]
    bob_auth = {"user": bob[0], "key": bob[2]}
    stop, rounds = time.monotonic() + seconds, 0
    while time.monotonic() < stop and rounds < 50:
        rounds += 1
        made = create("ReviewSession", name="gone", project_id=w["bob_project"])
        ident = made["entity_key"][0]
        ok(base, [made, create("ReviewSessionInvitee", name="Client", email="c@c.example",
                               review_session_id=ident)], **bob_auth)  # fmt: skip
        ok(base, [{"action": "delete", "entity_type": "ReviewSession", "entity_key": [ident]}],
           **bob_auth)  # fmt: skip
        again = create("ReviewSession", id=ident, name="mine", project_id=w["alice_project"])
        _refused_or_find(tally, api(tally, base, [again], alice[0], alice[2]), "reused id: create")
        trail = [{"action": "ft_dcc.audit", "review_session_id": ident}]
        _refused_or_find(tally, api(tally, base, trail, alice[0], alice[2]), "reused id: audit")


def inverted_window(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Review sessions whose end_date is before their start_date (create and update)."""
    base, alice = w["url"], w["alice"]
    now = time.time()

    def at(days: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + days * 86400))

    made = create("ReviewSession", name="w", project_id=w["alice_project"], start_date=at(10),
                  end_date=at(20))  # fmt: skip
    ok(base, [made], **{"user": alice[0], "key": alice[2]})
    ident = made["entity_key"][0]
    for label, op in {
        "create": create("ReviewSession", name="w", project_id=w["alice_project"],
                         start_date=at(10), end_date=at(2)),
        "update end": update("ReviewSession", ident, end_date=at(5)),
        "update start": update("ReviewSession", ident, start_date=at(30)),
    }.items():  # fmt: skip
        _refused_or_find(tally, api(tally, base, [op], alice[0], alice[2]), f"window: {label}")


# -- #47: marks and names from proved grants, unknown media, what is in flight -------------------
def _must_refuse(tally: Tally, reply: Optional[requests.Response], what: str) -> None:
    if reply is not None and reply.status_code < 300:
        tally.find(f"{what}: {reply.status_code} {reply.text[:120]}")


def _genuine(w: Dict[str, Any]) -> Any:
    """The administrator's genuine ftrack_api session (made once per backend)."""
    if "genuine" not in w:
        import ftrack_api

        cache = Path(w["tmp"]) / "schema"
        cache.mkdir(exist_ok=True)
        w["genuine"] = ftrack_api.Session(server_url=w["url"], api_user=USER, api_key=KEY,
                                          auto_connect_event_hub=False,
                                          schema_cache_path=str(cache))  # fmt: skip
    return w["genuine"]


def _small_movie(w: Dict[str, Any]) -> Path:
    """A 16-frame 320 x 180 H.264 movie (made once per backend)."""
    import imageio_ffmpeg

    path = Path(w["tmp"]) / "small.mp4"
    if not path.exists():
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x180:rate=24", "-frames:v", "16", "-c:v", "libx264",
                        "-pix_fmt", "yuv420p", str(path)], check=True)  # fmt: skip
    return path


def _published(w: Dict[str, Any], settings: Dict[str, str], files: Dict[str, Path]) -> Any:
    """The administrator's session: one version whose ``ftrackreview-mp4`` components are
    ``files`` (label -> file), invitees Client (named) and an unnamed one, these settings."""
    session = _genuine(w)
    name = f"h{uuid.uuid4().hex[:8]}"
    project = session.create("Project", {"name": name, "full_name": name,
                                         "project_schema": session.query("ProjectSchema").first()})
    asset_type = session.query('AssetType where short is "upload"').one()
    asset = session.create("Asset", {"name": "sh010", "parent": project, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset})
    review = session.create("ReviewSession", {"name": "Client dailies", "project": project})
    item = session.create("ReviewSessionObject", {
        "review_session": review, "asset_version": version, "name": "sh010", "version": "v001",
        "sort_order": 1})  # fmt: skip
    client = session.create("ReviewSessionInvitee", {"review_session": review, "name": "Client",
                                                     "email": "client@client.example"})
    quiet = session.create("ReviewSessionInvitee", {"review_session": review, "name": "",
                                                    "email": "quiet@client.example"})
    for key, value in settings.items():
        session.create("EntitySetting", {"parent_id": review["id"], "group": "review",
                                         "parent_type": "ReviewSession", "name": key,
                                         "value": value})  # fmt: skip
    session.commit()
    location = session.query('Location where name is "ftrack.server"').one()
    ids = {label: session.create_component(str(path), {"name": "ftrackreview-mp4",
                                                       "version": version},
                                           location=location)["id"]
           for label, path in files.items()}  # fmt: skip
    session.commit()
    tokens = {who: link_token(w["url"], "ReviewSessionInvitee", entity["id"])
              for who, entity in (("client", client), ("quiet", quiet))}  # fmt: skip
    tokens["room"] = link_token(w["url"], "ReviewSession", review["id"])
    tokens["owner"] = link_token(w["url"], "ReviewSession", review["id"], purpose="personal")
    return {"session": review["id"], "client": client["id"], "quiet": quiet["id"],
            "item": item["id"], "media": ids, "tokens": tokens}  # fmt: skip


def _read_whole(tally: Tally, w: Dict[str, Any], pub: Dict[str, Any], component: str,
                token: str) -> bytes:  # fmt: skip
    """A movie read as a player does: consecutive ranges (at most 200)."""
    url = f"{w['url']}/review/{pub['session']}/media/{component}"
    data, total = b"", None
    for _ in range(200):
        reply = call(tally, "GET", url, params={"token": token},
                     headers={"Range": f"bytes={len(data)}-"})  # fmt: skip
        if reply is None or reply.status_code != 206 or not reply.content:
            break
        total = int(reply.headers["Content-Range"].rsplit("/", 1)[1])
        data += reply.content
        if len(data) >= total:
            break
    return data


def _add_self(tally: Tally, w: Dict[str, Any], pub: Dict[str, Any], name: str,
              email: str) -> str:  # fmt: skip
    reply = call(tally, "POST", f"{w['url']}/review/{pub['session']}/whoami",
                 params={"token": pub["tokens"]["room"]}, json={"name": name, "email": email})
    if reply is None or reply.status_code != 201:
        raise RuntimeError(f"the room did not take {name}: {reply.text[:200] if reply else ''}")
    return str(reply.json()["token"])


def _revoke_invitee(w: Dict[str, Any], pub: Dict[str, Any], invitee: str) -> float:
    """Revoke the invitee's links (``review revoke --invitee``); when the write was answered."""
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    ok(w["url"], [{"action": "create", "entity_type": "EntitySetting", "entity_data": {
        "parent_id": pub["session"], "parent_type": "ReviewSession", "group": "review",
        "name": f"invitee_links_revoked_at:{invitee}", "value": now}}])  # fmt: skip
    return time.monotonic()


def proved_marks(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A room identity typing the invited client's name and e-mail: does it get the client's
    copy? Then as many room identities as the time allows (at most 30): the copies made."""
    pub = _published(w, {"watermark": "true"}, {"movie": _small_movie(w)})
    movie = pub["media"]["movie"]
    client = _read_whole(tally, w, pub, movie, pub["tokens"]["client"])
    posing = _add_self(tally, w, pub, "Client", "client@client.example")
    if _read_whole(tally, w, pub, movie, posing) == client:
        tally.find("a room identity received the invited client's own marked copy")
    stop, people = time.monotonic() + seconds, 1
    while time.monotonic() < stop and people < 30:
        people += 1
        token = _add_self(tally, w, pub, f"Guest {people}", f"g{people}@room.example")
        _read_whole(tally, w, pub, movie, token)
    folder = Path(w["tmp"]) / "data" / "files" / ".watermarks" / movie
    copies = len(list(folder.glob("[!.]*.mp4"))) if folder.is_dir() else 0
    w["figures_extra"]["proved marks"] = {"room identities": people, "copies made": copies}
    if copies > 2:
        tally.find(f"{people} room identities made {copies} copies (one room copy expected)")


def _watchers_seen(w: Dict[str, Any], pub: Dict[str, Any], token: str, people: int) -> str:
    """The first watchers event naming ``people`` that the ``token`` stream receives (text)."""
    url = f"{w['url']}/review/{pub['session']}/live"
    with requests.get(url, params={"token": token}, stream=True, timeout=30) as reply:
        name = ""
        for line in reply.iter_lines(decode_unicode=True):
            name = line[len("event: "):] if line.startswith("event: ") else name
            data = line[len("data: "):] if line.startswith("data: ") else ""
            if name == "watchers" and data and len(json.loads(data)["watchers"]) >= people:
                return line
    return ""


def room_names(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """What the room link learns of who watches and presents (e-mails, ids); a claim through a
    revoked invitee link."""
    pub = _published(w, {}, {})
    tokens = pub["tokens"]
    streams = [Stream(w["url"], pub["session"], tokens[who]) for who in ("client", "quiet")]
    try:
        chosen = _add_self(tally, w, pub, "Rae Room", "rae@room.example")
        for label, token in (("room link", tokens["room"]), ("room identity", chosen)):
            seen = _watchers_seen(w, pub, token, 3)
            leaked = [x for x in ("@", pub["client"], pub["quiet"], w["admin_id"]) if x in seen]
            if leaked or not seen:
                tally.find(f"{label} sees watchers with {leaked or 'no event'}: {seen[:160]}")
    finally:
        for stream in streams:
            stream.watching = False
            stream.response.close()
    room = f"{w['url']}/review/{pub['session']}"
    you = call(tally, "GET", room + "/presenter", params={"token": tokens["quiet"]})
    if you is not None and "@" in str(you.json().get("you", {}).get("name", "")):
        tally.find("an unnamed invitee is named by their e-mail: " + you.text[:120])
    page = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
    for body in ({"op": "take", **page}, {"op": "hand", "to": "i:" + pub["client"], **page}):
        call(tally, "POST", room + "/presenter", params={"token": tokens["owner"]}, json=body)
    for who in ("client", "quiet"):
        call(tally, "POST", room + "/status", params={"token": tokens[who]},
             json={"object_id": pub["item"], "status": "approved"})  # fmt: skip
    for route in ("", "/presenter", "/feedback"):
        seen = call(tally, "GET", room + route, params={"token": tokens["room"]})
        leaked = [x for x in (pub["client"], pub["quiet"], "@") if seen is not None
                  and x in seen.text]  # fmt: skip
        if leaked:
            tally.find(f"the room link's GET {route or '/'} names {leaked}")
    _revoke_invitee(w, pub, pub["client"])
    claim = api(tally, w["url"], [{"action": "claim_review_invitee", "token": tokens["client"]}],
                USER, KEY)  # fmt: skip
    _must_refuse(tally, claim, "a claim through a revoked invitee link")


def unknown_media(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A review movie stored as .mkv, .avi and without an extension, under policy none with the
    watermark, and none alone: any 2xx to a client link is a finding."""
    folder = Path(w["tmp"]) / f"unknown-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    files = {name: folder / name for name in ("review.mkv", "review.avi", "review")}
    for path in files.values():
        shutil.copyfile(_small_movie(w), path)
    for settings in ({"watermark": "true"}, {}):
        pub = _published(w, settings, files)
        for name, component in pub["media"].items():
            url = f"{w['url']}/review/{pub['session']}/media/{component}"
            for asked in ({"headers": {"Range": "bytes=0-"}}, {"params": {"download": "1"}}):
                params = dict(asked.get("params", {}), token=pub["tokens"]["client"])
                reply = call(tally, "GET", url, params=params, headers=asked.get("headers"))
                _must_refuse(tally, reply, f"unknown {name} {settings or 'none'} {asked}")


def in_flight(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A 48 MB download begun by an invitee, read slowly, while their links are revoked: the
    bytes received after the revocation was answered; a lead handed to a revoked invitee."""
    big = Path(w["tmp"]) / "big.mp4"
    with big.open("wb") as out:
        for _ in range(6):
            out.write(os.urandom(8 * 1024 * 1024))
    pub = _published(w, {"download_policy": "proxy"}, {"big": big})
    url = f"{w['url']}/review/{pub['session']}/media/{pub['media']['big']}"
    reply = requests.get(url, params={"token": pub["tokens"]["client"], "download": "1"},
                         stream=True, timeout=120)  # fmt: skip
    tally.add(reply.status_code)
    after = 0
    with reply:
        reply.raw.read(64 * 1024)
        _revoke_invitee(w, pub, pub["client"])
        try:
            while True:
                chunk = reply.raw.read(1024 * 1024)
                if not chunk:
                    break
                after += len(chunk)
                time.sleep(0.01)  # a slow reader
        except Exception:  # cut short (urllib3's IncompleteRead)
            pass
    with tally.lock:
        tally.in_flight_bytes += after
    w["figures_extra"]["download bytes after revocation"] = f"{after} of {big.stat().st_size}"
    if after + 64 * 1024 >= big.stat().st_size:
        tally.find(f"a download went on to its end after the revocation ({after} bytes)")
    presenter = f"{w['url']}/review/{pub['session']}/presenter"
    owner = {"token": pub["tokens"]["owner"]}
    page = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
    call(tally, "POST", presenter, params=owner, json={"op": "take", **page})
    call(tally, "POST", presenter, params=owner, json={"op": "hand", "to": "i:" + pub["quiet"],
                                                       **page})  # fmt: skip
    _revoke_invitee(w, pub, pub["quiet"])
    now = call(tally, "GET", presenter, params=owner)
    if now is not None and now.ok and now.json()["presenter"]["lead"] is not None:
        tally.find("a lead handed to a revoked invitee outlived the revocation")


def list_window(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A list link and a session whose window opens tomorrow: is it named?"""
    later = create("ReviewSession", name="tomorrow's", project_id=w["alice_project"],
                   start_date=time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                            time.gmtime(time.time() + 86400)))  # fmt: skip
    alice = w["alice"]
    ok(w["url"], [later], **{"user": alice[0], "key": alice[2]})
    widget = ok(w["url"], [{"action": "get_widget_url", "name": "review_session"}],
                **{"user": alice[0], "key": alice[2]})  # fmt: skip
    listed = call(tally, "GET", widget[0]["widget_url"])
    if listed is not None and later["entity_key"][0] in listed.text:
        tally.find("a list link names a session before it opens")


# -- #47: work bounded before it is done, one spelling per token, proved sources, audit rows ---
MEGABYTE = 1024 * 1024
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _timed(w: Dict[str, Any], label: str, send: Callable[[], Optional[requests.Response]]) -> None:
    """Send one request; its reply time (ms) and status go to the round's extra figures."""
    started = time.monotonic()
    reply = send()
    w["figures_extra"].setdefault("bounded_ms", {})[label] = (
        round(1000 * (time.monotonic() - started)), None if reply is None else reply.status_code)


def bounded_work(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Texts the server scans, logs, hashes or stores, each far past its limit: a session whose
    availability, name and description are 1 MB each (the audit trail keeps 2,000 characters),
    an unterminated JSON string of 1 MB of escaped quotes, a 60,000-letter X-Forwarded-For.
    The bystander's worst write shows whether one of them held the server."""
    base, alice = w["url"], w["alice"]
    headers = {"ftrack-user": alice[0], "ftrack-api-key": alice[2], "ftrack-strict-api": "true",
               "content-type": "application/json"}  # fmt: skip
    huge = create("ReviewSession", name="n" * MEGABYTE, description="token=" + "d" * MEGABYTE,
                  availability="a" * MEGABYTE, project_id=w["alice_project"])  # fmt: skip
    _timed(w, "1 MB availability", lambda: api(tally, base, [huge], alice[0], alice[2]))
    quotes = b'["' + b'\\"' * (MEGABYTE // 2)
    _timed(w, "1 MB of escaped quotes", lambda: call(tally, "POST", base + "/api", data=quotes,
                                                     headers=headers))  # fmt: skip
    claim = dict(headers, **{"x-forwarded-for": "a" * 60_000})
    other = create("ReviewSession", name="xff", project_id=w["alice_project"])
    _timed(w, "60,000-letter X-Forwarded-For", lambda: call(
        tally, "POST", base + "/api", json=[other], headers=claim))  # fmt: skip
    trail = api(tally, base, [{"action": "ft_dcc.audit", "review_session_id":
                               huge["entity_key"][0]}], alice[0], alice[2])  # fmt: skip
    if trail is not None and trail.ok:
        longest = max((len(json.dumps(e["detail"])) for e in trail.json()[0]["entries"]), default=0)
        w["figures_extra"]["longest_audit_detail_chars"] = longest
        if longest > 25_000:
            tally.find(f"an audit entry's detail holds {longest} characters")


def _spellings(token: str) -> List[str]:
    body, mac = token.split(".", 1)
    slack = mac[:-1] + B64URL[B64URL.index(mac[-1]) ^ 1]
    return [token + ".", token + "..", token + "=", token + "!!!", f"{body}.{slack}"]


def token_spelling(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Alice's session asks for a passphrase; her invitee's link re-spelled (trailing dots,
    padding, junk, the MAC's unused bit flipped): any page that opens, any answer judged (a
    prompt again) or granted through a re-spelling is a finding."""
    base, alice = w["url"], w["alice"]
    auth = {"user": alice[0], "key": alice[2]}
    session = create("ReviewSession", name="spelled", project_id=w["alice_project"],
                     passphrase="right answer", passphrase_enabled=True)  # fmt: skip
    invitee = create("ReviewSessionInvitee", name="Client", email="client@spelled.example",
                     review_session_id=session["entity_key"][0])  # fmt: skip
    ok(base, [session, invitee], **auth)
    ident = session["entity_key"][0]
    token = link_token(base, "ReviewSessionInvitee", invitee["entity_key"][0])
    page = f"{base}/review/{ident}"
    stop = time.monotonic() + seconds
    for other in _spellings(token):
        if time.monotonic() > stop:
            break
        opened = call(tally, "GET", page, params={"token": other}, timeout=30)
        if opened is not None and opened.status_code != 403:
            tally.find(f"a re-spelled token opened the page: {opened.status_code}")
        for guess in ("wrong", "right answer"):
            answered = call(tally, "POST", page + "/passphrase", params={"token": other},
                            data={"passphrase": guess}, allow_redirects=False, timeout=30)
            if answered is not None and (answered.status_code < 400
                                         or "passphrase" in answered.text.lower()):
                tally.find(f"a re-spelled token's answer was judged: {answered.status_code}")


def proxy_claims(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """Requests from 127.0.0.1 claim other addresses in X-Forwarded-For (no proxy configured):
    the audit trail's source must be 127.0.0.1, never a claim."""
    base, alice = w["url"], w["alice"]
    headers = {"ftrack-user": alice[0], "ftrack-api-key": alice[2], "ftrack-strict-api": "true"}
    made = create("ReviewSession", name="claimed", project_id=w["alice_project"])
    call(tally, "POST", base + "/api", json=[made], headers=dict(
        headers, **{"x-forwarded-for": "203.0.113.7"}))  # fmt: skip
    trail = api(tally, base, [{"action": "ft_dcc.audit", "review_session_id":
                               made["entity_key"][0]}], alice[0], alice[2])  # fmt: skip
    sources = sorted({e["source"] for e in trail.json()[0]["entries"]}) if trail else []
    w["figures_extra"]["audit_sources_under_claims"] = sources
    if any(source != "127.0.0.1" for source in sources):
        tally.find(f"the audit source is a claim: {sources}")


def audit_rows(w: Dict[str, Any], tally: Tally, seconds: float) -> None:
    """A revoked invitee link asks 300 times: the trail keeps at most 60 rows a minute per
    grant (over every server process) and counts the rest."""
    base, alice = w["url"], w["alice"]
    auth = {"user": alice[0], "key": alice[2]}
    session = create("ReviewSession", name="rows", project_id=w["alice_project"])
    invitee = create("ReviewSessionInvitee", name="Gone", email="gone@rows.example",
                     review_session_id=session["entity_key"][0])  # fmt: skip
    ok(base, [session, invitee], **auth)
    ident, who = session["entity_key"][0], invitee["entity_key"][0]
    token = link_token(base, "ReviewSessionInvitee", who)
    ok(base, [{"action": "create", "entity_type": "EntitySetting", "entity_data": {
        "parent_id": ident, "parent_type": "ReviewSession", "group": "review",
        "name": f"invitee_links_revoked_at:{who}",
        "value": datetime.datetime.now(datetime.timezone.utc).isoformat()}}], **auth)  # fmt: skip
    stop, asked = time.monotonic() + seconds, 0
    while time.monotonic() < stop and asked < 300:
        call(tally, "GET", f"{base}/review/{ident}/feedback", params={"token": token}, timeout=30)
        asked += 1
    trail = api(tally, base, [{"action": "ft_dcc.audit", "review_session_id": ident}],
                alice[0], alice[2])  # fmt: skip
    mine = [e for e in trail.json()[0]["entries"] if e["who"] == f"invitee:{who}"] if trail else []
    rows = sum(1 for e in mine if e["act"] == "access.refused")
    counted = sum(int(e["detail"]["counted"].get("access.refused", 0))
                  for e in mine if e["act"] == "audit.counted")  # fmt: skip
    w["figures_extra"]["audit_rows"] = {"asked": asked, "rows": rows, "counted": counted}
    if rows > 60:
        tally.find(f"{rows} audit rows for {asked} refused requests of one grant")


ATTACKS: Dict[str, Callable[[Dict[str, Any], Tally, float], None]] = {
    "race": race, "ticket": ticket, "forged source": forged_source, "room link": room_link,
    "hostile names": hostile_names, "big bodies": big_bodies, "flood": flood,
    "guessing": guessing,
    "stored row": stored_row, "reused id": reused_id, "inverted window": inverted_window,
    "proved marks": proved_marks, "room names": room_names, "unknown media": unknown_media,
    "in flight": in_flight, "list window": list_window,
    "bounded work": bounded_work, "token spelling": token_spelling,
    "proxy claims": proxy_claims, "audit rows": audit_rows, **SIGNIN_ATTACKS,
}  # fmt: skip


# -- snapshots -----------------------------------------------------------------------------------
SNAPSHOT = {
    "User": "username, is_active", "Project": "name, full_name", "Note": "content, user_id",
    "ReviewSession": "name, description", "ReviewSessionObject": "name, version_id",
    "ReviewSessionInvitee": "name, email", "AssetVersion": "comment, asset_id",
    "Component": "name, file_type", "Asset": "name",
}  # fmt: skip


def snapshot(base: str) -> Dict[str, Dict[str, str]]:
    rows: Dict[str, Dict[str, str]] = {}
    for kind, fields in SNAPSHOT.items():
        found = ok(base, [{"action": "query", "expression": f"select {fields} from {kind}"}])
        rows[kind] = {r["id"]: json.dumps(r, sort_keys=True) for r in found[0]["data"]}
    return rows


def changed(before: Dict[str, Dict[str, str]], after: Dict[str, Dict[str, str]],
            skip: set) -> List[str]:  # fmt: skip
    out = []
    for kind, rows in before.items():
        for ident, row in rows.items():
            if ident not in skip and after[kind].get(ident) != row:
                out.append(f"{kind} {ident}")
    return out


# -- the run -------------------------------------------------------------------------------------
def world(server: Server, tmp: Path) -> Dict[str, Any]:
    base = server.url
    admin_id = ok(
        base, [{"action": "query", "expression": f'select id from User where username is "{USER}"'}]
    )
    alice, bob = new_user(base), new_user(base)
    projects = [create("Project", name=f"p{uuid.uuid4().hex[:9]}", full_name="P") for _ in "ab"]
    ok(base, projects)
    return {"url": base, "port": server.port, "tmp": str(tmp), "alice": alice, "bob": bob,
            "admin_id": admin_id[0]["data"][0]["id"], "skip": {alice[1]},
            "alice_project": projects[0]["entity_key"][0],
            "bob_project": projects[1]["entity_key"][0], "figures_extra": {}}  # fmt: skip


def run_backend(name: str, args: List[str], seconds: float, only: List[str]) -> Dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"hostile-{name}-"))
    print(f"{name}:", flush=True)
    server = Server(tmp, args)
    try:
        w = world(server, tmp)
        round_args(w, tmp, args, server.process.pid)
        before = snapshot(server.url)
        rows: Dict[str, Any] = {}
        for label, attack in ATTACKS.items():
            if only and label not in only:
                continue
            tally = Tally()
            with Bystander(server.url, w["bob"], w["bob_project"]) as bystander:
                started = time.monotonic()
                try:
                    attack(w, tally, seconds)
                except Exception as exc:  # the round goes on; the failure is a figure
                    tally.find(f"the attack itself failed: {type(exc).__name__}: {exc}"[:300])
            rows[label] = {
                "sent": tally.sent, "statuses": dict(sorted(tally.status.items())),
                "after_revocation_bytes": tally.after_revocation_bytes,
                "in_flight_bytes": tally.in_flight_bytes,
                "bystander_worst_ms": round(1000 * bystander.worst, 1),
                "bystander_writes": bystander.writes, "bystander_failed": bystander.failed,
                "seconds": round(time.monotonic() - started, 1),
                "findings": sorted(set(tally.findings))[:12],
            }  # fmt: skip
            print_row(label, rows[label])
        w["skip"].add(w["bob"][1])
        others = changed(before, snapshot(server.url), w["skip"])
        logged = server.requests_logged()
        result = {
            "requests_logged": len(logged),
            "5xx": sum(1 for r in logged if int(r.get("status", 0)) >= 500),
            "other_peoples_rows_changed": len(others), "changed_rows": others[:10],
            "attacks": rows, "extra": w["figures_extra"],
        }  # fmt: skip
        print(f"  server logged {len(logged)} requests, 5xx {result['5xx']}, other people's rows "
              f"changed {len(others)} {others[:5]}", flush=True)  # fmt: skip
        print("  extra: " + json.dumps(w["figures_extra"], default=str)[:1500], flush=True)
        return result
    finally:
        server.stop()
        if os.environ.get("HOSTILE_KEEP"):
            print(f"  kept: {tmp} (server.log, requests.jsonl)", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def print_row(label: str, row: Dict[str, Any]) -> None:
    refusals = " ".join(f"{k}:{v}" for k, v in row["statuses"].items())
    print(f"  {label:14s} sent {row['sent']:5d} | {refusals:40s} | after-revocation bytes "
          f"{row['after_revocation_bytes']:6d} (in flight {row['in_flight_bytes']}) | "
          f"bystander worst {row['bystander_worst_ms']:8.1f}"
          f" ms ({row['bystander_writes']} writes, {row['bystander_failed']} failed) | "
          f"{row['seconds']} s", flush=True)  # fmt: skip
    for finding in row["findings"]:
        print(f"      ! {finding}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="bound of each attack's loop")
    parser.add_argument("--only", action="append", default=[], help="run only this attack")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    options = parser.parse_args()
    # every attacker here comes from 127.0.0.1: the per-source count would make one attack lock
    # out the next (and the bystander); the per-target count (a key's User, a link) stays on
    os.environ.setdefault("FT_DCC_AUTH_FAILURES_PER_SOURCE", "100000000")
    results: Dict[str, Any] = {}
    if not options.no_sqlite:
        results["sqlite"] = run_backend("sqlite", [], options.seconds, options.only)
    if not options.no_postgres:
        cluster = throwaway_postgres()
        if cluster is None:
            print("postgresql: skipped (no PostgreSQL binaries installed)")
        else:
            try:
                url = cluster.create_database("hostile")
                results["postgresql-4-workers"] = run_backend(
                    "postgresql-4-workers", ["--database", url, "--workers", "4"],
                    options.seconds, options.only)  # fmt: skip
            finally:
                cluster.stop()
    print(json.dumps({"bench": "hostile_round", "results": results}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
