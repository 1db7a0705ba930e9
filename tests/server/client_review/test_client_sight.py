"""What a client sees: every route an invited client's link reaches, read as the client reads it
(behind the session's passphrase, with the watermark on), holds none of the studio's inside.

The world plants a distinctive piece of each part of the inside (:class:`~ft_dcc.server.identity.
audience.Inside`): the version's internal status (a status of its own name), the artist (name,
username, e-mail) and their version comment (copied onto the item's description too, as a publish
does), the studio's internal note and drawing, the studio's verdict, the server's administrator
(who presents and watches), and another client (Bob: name, e-mail, note, verdict). The client
(Ann) answers the passphrase, reads the page, its groups, the feedback, the notes, the presenter,
the room's answer, the list page and the media, writes a note, a drawing and a verdict, and keeps
the live stream open while the studio and Bob act -- and no reply, no event, names any planted
piece. What the studio shared with her is there; her own feedback is there. Seen failing first:
the page named the status, the artist and the comment, and every note the studio wrote.
"""

from __future__ import annotations

import queue
import threading
import uuid
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support import genuine_sessions
from support.net import close_stream
from support.trust import add_api_user, call, create, ok, update
from web.feedback_fixtures import Page, data_url, personal_link, stroke_png
from web.test_presenter_api import new_page

from .gate_world import make_owner
from .media_world import MediaWorld

pytestmark = pytest.mark.timeout(600)

PASSPHRASE = "correct horse battery"
WAIT = 120.0


class Events:
    """Every line of one live stream, read in a thread."""

    def __init__(self, session: requests.Session, page: Page) -> None:
        self.response = session.get(page.base + "/live", params={"token": page.token},
                                    stream=True, timeout=WAIT)  # fmt: skip
        assert self.response.status_code == 200, self.response.text
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                self.lines.put(line)
        except Exception:  # closed by the test
            pass

    def until(self, wanted: str) -> None:
        """Read lines until one holds ``wanted``."""
        while not any(wanted in line for line in self.seen):
            try:
                self.seen.append(self.lines.get(timeout=WAIT))
            except queue.Empty:
                raise AssertionError(f"no live line with {wanted!r}: {self.seen}") from None

    def close(self) -> None:
        close_stream(self.response)


@pytest.fixture(scope="module")
def world(gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Dict[str, Any]]:  # fmt: skip
    server = gate_backend_server
    base = tmp_path_factory.mktemp("client-sight")
    tag = uuid.uuid4().hex[:8]
    for owner in make_owner(server, base):
        dailies = MediaWorld(server, owner, base)
        item, other = dailies.dailies.objects
        version = item["asset_version"]
        artist_id, artist_key = add_api_user(server, f"artie{tag}")
        planted = {
            "status": f"Zebra Hold {tag}",
            "artist first name": f"Artemisia{tag}",
            "artist last name": f"Plantedartist{tag}",
            "artist username": f"artie{tag}",
            "artist e-mail": f"artie.{tag}@studio.example",
            "comment": f"VERSION-COMMENT-{tag} the client must not read",
            "internal note": f"INTERNAL-NOTE-{tag} the lighting is a mess",
            "internal drawing note": f"INTERNAL-DRAWING-{tag}",
            "other client name": f"Robert Otherclient{tag}",
            "other client e-mail": f"bob.{tag}@client.example",
            "other client note": f"BOB-NOTE-{tag} I prefer the old one",
        }
        ok(server, [
            update("User", artist_id, first_name=planted["artist first name"],
                   last_name=planted["artist last name"], email=planted["artist e-mail"]),
            update("AssetVersion", version["id"], comment=planted["comment"], user_id=artist_id),
            update("ReviewSessionObject", item["id"], description=planted["comment"]),
            update("ReviewSessionInvitee", dailies.dailies.bob["id"],
                   name=planted["other client name"], email=planted["other client e-mail"]),
        ])  # fmt: skip
        admin = call(server, [{"action": "query", "expression": "select first_name, last_name, "
                               f"username, email from User where username is {server.api_user}"}])
        for name, value in admin.json()[0]["data"][0].items():
            if name in ("username", "email") and isinstance(value, str) and value:
                planted[f"administrator {name}"] = value  # ("test" is in "latest": not its name)
        with genuine_sessions(server, base / "artist") as make:
            artist = personal_link(make(api_user=f"artie{tag}", api_key=artist_key),
                                   dailies.session)  # fmt: skip
            yield {"server": server, "dailies": dailies, "item": item, "other": other,
                   "planted": planted, "artist": artist, "owner": owner, "tag": tag}  # fmt: skip


def _write(page: Page, route: str, body: Dict[str, Any],
           viewer: Any = requests) -> Dict[str, Any]:  # fmt: skip
    answer = viewer.post(page.base + route, params={"token": page.token}, json=body, timeout=60)
    assert answer.status_code in (200, 201), (route, answer.text)
    return dict(answer.json())


def _gated(page: Page) -> requests.Session:
    """A browser of ``page``'s link that answered the session's passphrase."""
    viewer = requests.Session()
    viewer.headers["Origin"] = page.origin
    gate = viewer.post(page.base + "/passphrase", params={"token": page.token},
                       data={"passphrase": PASSPHRASE}, allow_redirects=False, timeout=60)
    assert gate.status_code in (302, 303), gate.text
    return viewer


def _plant_status(world: Dict[str, Any]) -> None:
    """The version's status: one of its own name (a studio's internal one)."""
    server, version = world["server"], world["item"]["asset_version"]
    status = create("Status", name=world["planted"]["status"], color="#123456")
    ok(server, [status])
    ok(server, [update("AssetVersion", version["id"], status_id=status["entity_key"][0])])


def test_a_client_reads_nothing_of_the_studios_inside(world: Dict[str, Any]) -> None:
    dailies, item, planted = world["dailies"], world["item"], world["planted"]
    tag = world["tag"]
    studio, artist = dailies.personal(), world["artist"]
    bob = dailies.invitee("bob")
    shared_text = f"SHARED-NOTE-{tag} please look at the sky"
    # the studio's notes: internal ones, a drawing, one shared with the client; its verdict
    _write(artist, "/notes", {"object_id": item["id"], "content": planted["internal note"]})
    internal_drawing = _write(artist, "/annotations", {
        "object_id": item["id"], "frame": 2, "png": data_url(stroke_png()),
        "content": planted["internal drawing note"]})  # fmt: skip
    shared = _write(artist, "/notes", {"object_id": item["id"], "content": shared_text})
    assert _write(artist, "/share", {"note_id": shared["id"], "shared": True})["shared"] is True
    _write(studio, "/status", {"object_id": world["other"]["id"], "status": "approved"})
    _plant_status(world)
    dailies.set_setting("watermark", "true")
    dailies.update(passphrase=PASSPHRASE, passphrase_enabled=True)

    # Ann: the passphrase, then everything her page reads, with the live stream open
    ann = dailies.invitee("ann")
    viewer, bobs = _gated(ann), _gated(bob)
    replies: Dict[str, str] = {}

    def read(route: str, **params: str) -> requests.Response:
        answer = viewer.get(ann.base + route, params=dict(token=ann.token, **params), timeout=60)
        assert answer.status_code in (200, 206), (route, answer.status_code, answer.text[:300])
        replies[f"GET {route} {params}"] = answer.text if "media" not in route else ""
        return answer

    def write(route: str, body: Dict[str, Any]) -> Dict[str, Any]:
        answer = viewer.post(ann.base + route, params={"token": ann.token}, json=body, timeout=60)
        assert answer.status_code in (200, 201), (route, answer.text)
        replies[f"POST {route}"] = answer.text
        return dict(answer.json())

    events = Events(viewer, ann)
    try:
        events.until(": connected")
        page = read("").text
        read("/items", **{"from": "0"})
        read("/items", objects=f"{item['id']},{world['other']['id']}")
        read("/presenter")
        read("/whoami")
        read("/notes")
        listed = viewer.get(ann.origin + "/review/", params={"token": ann.token}, timeout=60)
        replies["GET /review/"] = listed.text
        movie = read(f"/media/{dailies.movie_id}")
        assert movie.content[:4] != b"" and movie.headers["content-type"].startswith("video/")
        read(f"/media/{dailies.thumbnail_id}")
        # Ann writes: a note, a drawing, a verdict (her page re-reads the feedback)
        mine = write("/notes", {"object_id": item["id"], "content": f"ANN-NOTE-{tag}"})
        write("/annotations", {"object_id": item["id"], "frame": 3, "png": data_url(stroke_png())})
        write("/status", {"object_id": item["id"], "status": "require_changes"})
        # the studio and Bob act while her stream is open
        bob_note = _write(bob, "/notes", {"object_id": item["id"],
                                          "content": planted["other client note"]}, bobs)
        _write(bob, "/status", {"object_id": item["id"], "status": "approved"}, bobs)
        events.until(bob_note["id"])  # the note event: an id, nothing of Bob
        owner_events = Events(requests.Session(), studio)  # the studio watches too
        lead = new_page()
        _write(studio, "/presenter", dict(op="take", **lead))
        events.until('"lead":{')
        events.until('"Studio"')
        owner_events.close()
        feedback = read("/feedback").json()
    finally:
        events.close()
    replies["live"] = "\n".join(events.seen)

    # what Ann sees: her own feedback and what was shared; nothing of the inside
    notes = feedback["objects"][item["id"]]["notes"]
    contents = {n["content"] for n in notes}
    assert {f"ANN-NOTE-{tag}", shared_text} <= contents, contents
    assert next(n for n in notes if n["id"] == mine["id"])["author"]["name"] == "Ann Lee"
    assert [n["author"]["name"] for n in notes if n["content"] == shared_text] == ["Studio"]
    [verdict] = feedback["objects"][item["id"]]["statuses"]
    assert (verdict["name"], verdict["status"]) == ("Ann Lee", "require_changes")
    assert feedback["objects"][item["id"]]["version_status"] is None
    assert "sh010_anim" in page  # the versions she was shown
    for where, text in replies.items():
        for part, value in planted.items():
            assert value not in text, f"{part} ({value!r}) in {where}"
    # the studio's unshared drawing is not hers to take; sharing is not hers to do
    drawing = str(internal_drawing["annotation_url"]).split("/media/")[1].split("?")[0]
    refused = viewer.get(f"{ann.base}/media/{drawing}", params={"token": ann.token}, timeout=60)
    assert refused.status_code in (403, 404)
    share = viewer.post(ann.base + "/share", params={"token": ann.token}, timeout=60,
                        json={"note_id": shared["id"], "shared": False})  # fmt: skip
    assert share.status_code == 403 and "studio" in share.json()["error"]
    assert shared["id"] in {n["id"] for n in studio.feedback()["objects"][item["id"]]["notes"]
                            if n["shared"]}  # still shared  # fmt: skip

    # the studio sees it all: the internal status, both verdicts with their kind, every note
    seen = studio.feedback()["objects"][item["id"]]
    assert seen["version_status"]["name"] == planted["status"]
    kinds = {(s["name"], s["kind"], s["status"]) for s in seen["statuses"]}
    assert ("Ann Lee", "client", "require_changes") in kinds
    assert {planted["internal note"], shared_text, f"ANN-NOTE-{tag}"} <= {
        n["content"] for n in seen["notes"]}  # fmt: skip

