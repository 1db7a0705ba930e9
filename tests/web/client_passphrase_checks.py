"""A client behind a passphrase writes through the review page's own scripts, checked the same in
any browser (a ``player_checks.Driver``): the client opens an invitee link of a session with a
passphrase, answers the prompt, then writes a note on a frame, a drawing and a verdict with the
page's own controls; each is read back through the genuine ``ftrack_api`` client.

The passphrase grant is a cookie (``HttpOnly``, ``SameSite=Strict``, path ``/review/<id>``): the
page's scripts must send it with their requests, or every write answers "This review asks for a
passphrase".
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

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
    url = owner.get_widget_url("review_session", entity=invitee)
    return ClientWorld(
        review_session_id=str(review_session["id"]),
        object_id=str(item["id"]),
        invitee={"id": str(invitee["id"]), "email": email},
        client_url=url,
        room_url=owner.get_widget_url("review_session", entity=review_session),
        make=make,
    )


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
    screen = Screen(driver, artifacts, name)
    write_a_note_on_a_frame(screen, 1012)
    draw_in_page(screen, 1020, 1022)
    give_a_verdict(driver, screen.item)
    driver.screenshot(artifacts / f"{name}.png")

    found = read_back(world)
    email = world.invitee["email"]
    notes = sorted(found["notes"], key=lambda n: str(n["frame"]))
    assert [(n["frame"], n["author"]) for n in notes] == [("1012", email), ("1020", email)], notes
    assert notes[0]["content"] == NOTE and notes[0]["drawings"] == 0
    assert notes[1]["drawings"] == 1, notes
    assert found["statuses"] == {email: "approved"}, found


def module_world(server: Any, tmp_path_factory: Any, name: str) -> Iterator[ClientWorld]:
    """A module fixture's :class:`ClientWorld` (its genuine sessions closed after)."""
    tmp_path = tmp_path_factory.mktemp(name)
    with genuine_sessions(server, tmp_path / "schema-cache") as make:
        yield client_world(server, tmp_path, make)
