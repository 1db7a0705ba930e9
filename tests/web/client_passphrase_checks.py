"""A client behind a passphrase writes through the review page's own scripts, checked the same in
any browser (a ``player_checks.Driver``): the client opens an invitee link of a session with a
passphrase, answers the prompt, then writes a note on a frame, a drawing and a verdict with the
page's own controls; each is read back through the genuine ``ftrack_api`` client. Every reply
the client's browser received (the browser's own response events) is read: none holds the
studio's inside planted in the session (an internal status of its own name, the artist's
comment, an internal studio note, the studio's administrator's name and address), and the
client's verdict left the version's status as it was.

The passphrase grant is a cookie (``HttpOnly``, ``SameSite=Strict``, path ``/review/<id>``): the
page's scripts must send it with their requests, or every write answers "This review asks for a
passphrase".
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import attr
from support import genuine_sessions

from .drawing_checks import Screen, draw_in_page, publish_coded_shot
from .player_checks import Driver, El, call

SECRET = "client wk49 pass"
NOTE = "Hold the arm two frames longer"


@attr.s(auto_attribs=True)
class ClientWorld:
    """A published shot's review session with a passphrase, and the client's invitee link."""

    review_session_id: str
    object_id: str
    invitee: Dict[str, str]
    client_url: str
    room_url: str
    make: Callable[..., Any]
    #: what of the studio's inside was planted, by what it is (none may reach the client)
    planted: Dict[str, str] = attr.Factory(dict)
    version_id: str = ""


def client_world(server: Any, tmp_path: Path, make: Callable[..., Any]) -> ClientWorld:
    """A frame-coded shot published into a new session, the session given a passphrase and a
    client invitee with the genuine client (``make``: ``support.genuine_sessions``' maker)."""
    name = f"Client review {uuid.uuid4().hex[:6]}"
    publish_coded_shot(server, tmp_path, name)
    owner = make()
    review_session = owner.query(f'ReviewSession where name is "{name}"').one()
    review_session["passphrase"] = SECRET
    review_session["passphrase_enabled"] = True
    email = f"client-{uuid.uuid4().hex[:6]}@agency.example"
    invitee = owner.create(
        "ReviewSessionInvitee",
        {"review_session": review_session, "name": "Cleo Client", "email": email},
    )
    owner.commit()
    [item] = review_session["review_session_objects"]
    planted = _plant_the_inside(owner, item)
    url = owner.get_widget_url("review_session", entity=invitee)
    return ClientWorld(
        review_session_id=str(review_session["id"]),
        object_id=str(item["id"]),
        invitee={"id": str(invitee["id"]), "email": email},
        client_url=url,
        room_url=owner.get_widget_url("review_session", entity=review_session),
        make=make,
        planted=planted,
        version_id=str(item["asset_version"]["id"]),
    )


def _plant_the_inside(owner: Any, item: Any) -> Dict[str, str]:
    """A distinctive piece of each part of the studio's inside, in ``item``'s session."""
    tag = uuid.uuid4().hex[:8]
    version = item["asset_version"]
    me = owner.query(f'User where username is "{owner.api_user}"').one()
    planted = {
        "status": f"Zebra Hold {tag}",
        "comment": f"VERSION-COMMENT-{tag} do not show the client",
        "internal note": f"INTERNAL-NOTE-{tag} the comp is late",
        "administrator username": str(me["username"]),
    }
    if me["email"]:
        planted["administrator e-mail"] = str(me["email"])
    status = owner.create("Status", {"name": planted["status"], "color": "#123456"})
    version["comment"] = planted["comment"]
    item["description"] = planted["comment"]
    version["status"] = status
    owner.create("Note", {"content": planted["internal note"], "parent_id": item["id"],
                          "parent_type": "ReviewSessionObject", "user_id": me["id"]})  # fmt: skip
    owner.commit()
    return planted


def answer_the_prompt(driver: Driver, passphrase: str = SECRET) -> None:
    """The page's passphrase prompt answered (a real form post), then the review page."""
    driver.wait("document.querySelector('#gate-passphrase')")
    driver.evaluate(
        call("(i, v) => { i.value = v; }", El("#gate-passphrase"), json.dumps(passphrase))
    )
    driver.click("form.gate-form button[type=submit]")
    driver.wait(
        "document.querySelector('article.item') && window.ftReview && window.ftReview.Player"
    )
    driver.wait("+document.querySelector('main.items').dataset.feedbackLoaded >= 1")


def write_a_note_on_a_frame(screen: Screen, frame: int, text: str = NOTE) -> None:
    """``text`` written in the page's note box on ``frame`` and sent with its button."""
    driver, item = screen.driver, screen.item
    screen.seek(frame)
    form = f"{item} .note-form"
    driver.evaluate(call("(t, v) => { t.value = v; }", El(f"{form} textarea"), json.dumps(text)))
    driver.click(f"{form} button.add-note")
    error = El(f"{form} .note-error")
    driver.wait(f"{El(item)}.dataset.notesAdded === '1' || /Not saved/.test({error}.textContent)")
    assert not driver.evaluate(f"{error}.textContent"), driver.evaluate(f"{error}.textContent")


def give_a_verdict(driver: Driver, item: str, verdict: str = "approve") -> None:
    driver.click(f"{item} .verdict.{verdict}")
    driver.wait(
        f"{El(item)}.dataset.statusesSet === '1' || "
        f"/Not saved/.test({El(item)}.querySelector('.status-error').textContent)"
    )
    error = driver.evaluate(f"{El(item)}.querySelector('.status-error').textContent")
    assert not error, error


def read_back(world: ClientWorld) -> Dict[str, Any]:
    """What the client wrote, through a fresh genuine ``ftrack_api`` session."""
    reader = world.make()
    item = reader.get("ReviewSessionObject", world.object_id)
    notes = [
        {
            "content": note["content"],
            "frame": note["metadata"].get("frame"),
            "author": note["author"]["email"],
            "drawings": len(list(note["note_components"])),
        }
        for note in item["notes"]
    ]
    statuses = {s["invitee"]["email"]: s["status"] for s in item["statuses"]}
    return {"notes": notes, "statuses": statuses}


def check_client_writes(
    driver: Driver,
    open_url: Callable[[str], Optional[int]],
    world: ClientWorld,
    artifacts: Path,
    name: str,
) -> None:
    """The client answers the passphrase, then writes a note on frame 1012, a drawing on 1020
    held to 1022 and an approval, all with the page's own controls; each is read back."""
    open_url(world.client_url)
    answer_the_prompt(driver)
    driver.evaluate(RECORDER)
    screen = Screen(driver, artifacts, name)
    write_a_note_on_a_frame(screen, 1012)
    draw_in_page(screen, 1020, 1022)
    give_a_verdict(driver, screen.item)
    driver.screenshot(artifacts / f"{name}.png")

    found = read_back(world)
    email = world.invitee["email"]
    notes = sorted((n for n in found["notes"] if n["author"] == email),
                   key=lambda n: str(n["frame"]))  # fmt: skip
    assert [(n["frame"], n["author"]) for n in notes] == [("1012", email), ("1020", email)], notes
    assert notes[0]["content"] == NOTE and notes[0]["drawings"] == 0
    assert notes[1]["drawings"] == 1, notes
    assert found["statuses"] == {email: "approved"}, found
    check_nothing_of_the_inside(driver, world)


#: the page's own fetch replies, kept as its scripts received them (installed after the prompt):
#: where the browser's response events carry no body (Firefox's BiDi), these do
RECORDER = """(() => {
  if (window.ftDccReplies) return true;
  window.ftDccReplies = [];
  const original = window.fetch;
  window.fetch = function () {
    return original.apply(this, arguments).then((reply) => {
      reply.clone().text().then((body) => window.ftDccReplies.push(
        { url: reply.url, status: reply.status, type: reply.headers.get("content-type") || "",
          body: body }));
      return reply;
    });
  };
  return true;
})()"""
#: a reply the browser received whose body its response event did not carry: read again by the
#: page (same link, same grant, same reader), as a GET
AGAIN = """((url) => fetch(url, { credentials: "same-origin", cache: "no-store" })
  .then((reply) => reply.text()))(%s)"""


#: replies not read again: the writes (POST), the live stream, media
WRITES = ("/notes", "/status", "/annotations", "/passphrase", "/live")


def received(driver: Driver, since: int = 0) -> List[Dict[str, Any]]:
    """Every reply the client's browser received with its body (``since``: after the first
    ``since`` replies of ``driver.responses()``, those of someone else who used the browser
    before): from the browser's response events, else as the page's scripts received it, else
    (a GET before the recorder: the page, its first reads) read again by the page."""
    replies = driver.responses()[since:]
    recorded = driver.evaluate("window.ftDccReplies || []")
    page = driver.evaluate("document.documentElement.outerHTML")
    found = [r for r in replies if r["body"] is not None] + list(recorded)
    found.append({"url": "the page's document", "status": 200, "type": "text/html",
                  "body": page})  # fmt: skip
    for reply in replies:
        url = reply["url"].split("?")[0]
        if reply.get("unread") and reply["status"] < 300 and not url.endswith(WRITES):
            found.append(dict(reply, body=driver.evaluate(AGAIN % json.dumps(reply["url"]))))
    return found


def check_nothing_of_the_inside(driver: Driver, world: ClientWorld) -> None:
    """Every reply the client's browser received holds none of the planted inside; her verdict
    left the version's internal status as it was."""
    read = received(driver)
    assert any("/feedback" in r["url"] for r in read), [r["url"] for r in read]
    assert any("/status" in r["url"] for r in read), [r["url"] for r in read]
    pages = [r for r in read if str(r["type"]).startswith("text/html") and "article" in r["body"]]
    assert pages, [(r["url"][:80], r["status"], r["type"]) for r in read]
    for reply in read:
        assert not str(reply["body"]).startswith("<unread"), reply
        for part, value in world.planted.items():
            assert value not in reply["body"], f"{part} ({value!r}) in {reply['url']}"
    version = world.make().get("AssetVersion", world.version_id)
    assert version["status"]["name"] == world.planted["status"]


def module_world(server: Any, tmp_path_factory: Any, name: str) -> Iterator[ClientWorld]:
    """A module fixture's :class:`ClientWorld` (its genuine sessions closed after)."""
    tmp_path = tmp_path_factory.mktemp(name)
    with genuine_sessions(server, tmp_path / "schema-cache") as make:
        yield client_world(server, tmp_path, make)
