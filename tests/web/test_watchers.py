"""Who is watching: every page of a review session shows the people who have its page
open now, each by the name of the person their link acts as (an invitee, a user), the
presenter marked; it changes as pages join and leave. Over HTTP (the live streams, on SQLite
and PostgreSQL with 4 workers: a page's stream lands on any worker) and in real Chromium (on
PostgreSQL's 4 workers, the pages' streams on any of them: the page reads the same event on
SQLite, whose server side the HTTP tests hold).

Presence is the server's own: a name comes from the link, never from what a page sends; an
event hub client can neither forge the watchers event nor hear it; a page of one session hears
nothing of another's.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import pytest
from support import genuine_sessions

from ft_dcc.server.review.presenter.watchers import WATCHERS_TOPIC

from .feedback_fixtures import link, make_dailies, personal_link
from .frame_code import wait_until
from .test_presenter_api import HubClient, Stream
from .test_presenter_page import open_page, pg_dailies, side_by_side, wait_mode  # noqa: F401

Names = Set[str]


def names(event: Dict[str, Any]) -> Names:
    return {person["name"] for person in event["watchers"]}


def seen(stream: Stream, wanted: Names) -> List[Dict[str, Any]]:
    """Wait for the watchers list naming exactly ``wanted``; the list."""
    return stream.first(lambda e: names(e) == wanted, f"exactly {sorted(wanted)}")["watchers"]


@pytest.fixture
def room(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """Two sessions' links: the owner's (personal), Ann's and Bob's of one, the owner's of
    another."""
    server = server_on_each_backend
    with genuine_sessions(server, tmp_path / "cache") as make:
        session = make()
        one, other = make_dailies(session), make_dailies(session)
        yield {
            "server": server,
            "owner": personal_link(session, one.review_session),
            "ann": link(session, one.ann),
            "bob": link(session, one.bob),
            "other": personal_link(session, other.review_session),
            "other_ann": link(session, other.ann),
        }


def test_the_list_follows_pages_joining_and_leaving(room: Dict[str, Any]) -> None:
    streams = []
    try:
        owner = Stream(room["owner"], "watchers")
        streams.append(owner)
        first = owner.first(lambda e: len(e["watchers"]) == 1, "only the owner")["watchers"]
        me = first[0]
        assert me["key"].startswith("u:") and me["pages"] == 1
        ann = Stream(room["ann"], "watchers")
        streams.append(ann)
        both = seen(owner, {me["name"], "Ann Lee"})
        # a client sees the studio as "Studio", never a studio person's name or key
        theirs = seen(ann, {"Studio", "Ann Lee"})
        assert next(p["key"] for p in theirs if p["name"] == "Studio").startswith("w:")
        ann_entry = next(p for p in both if p["name"] == "Ann Lee")
        assert ann_entry["key"].startswith("i:") and set(ann_entry) == {"key", "name", "pages"}

        # A second page of the same person counts once, with two pages.
        again = Stream(room["ann"], "watchers")
        streams.append(again)
        twice = owner.first(lambda e: any(p["pages"] == 2 for p in e["watchers"]), "2 pages")
        assert names(twice) == {me["name"], "Ann Lee"}

        # Another session's pages are not seen here, and see nothing of this one.
        other = Stream(room["other_ann"], "watchers")
        streams.append(other)
        assert names(other.first(lambda e: True, "any")) == {"Ann Lee"}
        bob = Stream(room["bob"], "watchers")
        streams.append(bob)
        assert seen(owner, {me["name"], "Ann Lee", "Bob Ray"})
        assert other.events.empty() or all(
            names(e) == {"Ann Lee"} for e in list(other.events.queue)
        )

        # Pages leave: the list shrinks on the pages still open.
        for stream in (ann, again):
            stream.close()
            streams.remove(stream)
        assert seen(owner, {me["name"], "Bob Ray"})
        assert seen(bob, {"Studio", "Bob Ray"})  # Ann was never Bob's to see
    finally:
        for stream in streams:
            stream.close()


def test_a_link_that_does_not_open_the_session_is_not_listed(room: Dict[str, Any]) -> None:
    owner = Stream(room["owner"], "watchers")
    try:
        me = owner.first(lambda e: len(e["watchers"]) == 1, "only the owner")["watchers"][0]
        page = room["ann"]
        forged = page.token[:-4] + ("AAAA" if not page.token.endswith("AAAA") else "BBBB")
        refused = page.get("/live", token=forged)
        assert refused.status_code == 403, refused.text
        elsewhere = room["other"]  # a real link, of another session, on this session's route
        refused = page.get("/live", token=elsewhere.token)
        assert refused.status_code == 403, refused.text
        # a page that does open it is listed: proof that the two above would have been seen
        bob = Stream(room["bob"], "watchers")
        try:
            assert seen(owner, {me["name"], "Bob Ray"})
        finally:
            bob.close()
    finally:
        owner.close()


def test_event_hub_clients_neither_forge_nor_hear_who_is_watching(
    embedded_server: Any, tmp_path: Path
) -> None:
    hub = HubClient(embedded_server)
    marker = f"ft_dcc.test.marker.{uuid.uuid4().hex[:8]}"
    try:
        wanted = f"topic={WATCHERS_TOPIC} or topic={marker}"
        subscribed = hub.emit({"topic": "ftrack.meta.subscribe", "source": {"id": "h"},
                               "data": {"subscriber": {"id": "s"}, "subscription": wanted}},
                              1)  # fmt: skip
        assert '"success": true' in str(subscribed)
        with genuine_sessions(embedded_server, tmp_path / "cache") as make:
            session = make()
            made = make_dailies(session)
            owner = personal_link(session, made.review_session)
            bob_link = link(session, made.bob)
        stream = Stream(owner, "watchers")
        try:
            me = stream.first(lambda e: len(e["watchers"]) == 1, "the owner")["watchers"][0]
            # A forged change naming someone else is refused, and no page hears of them.
            forged = hub.emit({"topic": WATCHERS_TOPIC, "source": {"id": "h"},
                               "data": {"review_session_id": made.review_session["id"],
                                        "watchers": [{"key": "u:x", "name": "Mallory"}]}},
                              2)  # fmt: skip
            assert '"success": false' in forged and "server's own" in forged, forged
            bob = Stream(bob_link, "watchers")
            try:
                assert seen(stream, {me["name"], "Bob Ray"})  # the next real change
            finally:
                bob.close()
            assert seen(stream, {me["name"]})
        finally:
            stream.close()
        hub.emit({"topic": marker, "source": {"id": "h"}, "data": {}}, 3)
        while not any(marker in f and not f.startswith("6:") for f in hub.frames):
            hub.frames.append(hub.sock.recv())
        heard = [f for f in hub.frames if WATCHERS_TOPIC in f and f.startswith("5:")]
        assert not heard, heard
    finally:
        hub.close()


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_shows_who_is_watching_and_who_presents(
    pg_dailies: Dict[str, Any],  # noqa: F811 - the fixture imported above
    chromium: Any,
    artifacts_dir: Path,
) -> None:
    dailies = pg_dailies
    backend = dailies["backend"]
    contexts = []

    def listed(page: Any) -> List[str]:
        return page.locator(".watchers .watcher").evaluate_all(
            "(chips) => chips.map((c) => c.firstChild.textContent)"
        )

    def shown(page: Any) -> Names:
        said = page.locator("main.items").get_attribute("data-watchers") or ""
        return set(said.split("|")) - {""}

    def wait_listed(page: Any, wanted: Names) -> None:
        wait_until(lambda: shown(page) == wanted, lambda: f"{shown(page)} != {wanted}")

    try:
        for who in ("owner", "ann", "bob"):
            url = dailies["owner"] if who == "owner" else dailies["links"][who]
            contexts.append(open_page(chromium, url))
        pages = [page for _, page in contexts]
        lead, ann, bob = pages
        owner_name = lead.evaluate("() => window.ftReview.presenter.you.name")
        everyone = {owner_name, "Ann Lee", "Bob Lee"}
        # to the invited reviewers (clients who see each other) the studio is "Studio"
        seen_by = {id(lead): everyone, id(ann): {"Studio", "Ann Lee", "Bob Lee"},
                   id(bob): {"Studio", "Ann Lee", "Bob Lee"}}  # fmt: skip
        for page in pages:
            wait_listed(page, seen_by[id(page)])
            assert page.locator(".watchers").is_visible()
            assert sorted(listed(page)) == sorted(seen_by[id(page)])
        # The presenter is marked on every page.
        lead.locator(".presenter-bar .present").click()
        wait_mode(ann, "follow")
        for page in pages:
            presenter = owner_name if page is lead else "Studio"
            page.locator(".watchers .watcher.presenting", has_text=presenter).wait_for()
            assert page.locator(".watchers .watcher.presenting").count() == 1
        ann.locator(".watchers .watcher.you", has_text="Ann Lee").wait_for()
        side_by_side([lead, ann, bob], artifacts_dir / f"watchers_{backend}.png")

        # Bob closes his page: the others see him go.
        contexts.pop()[0].close()
        wait_listed(lead, {owner_name, "Ann Lee"})
        wait_listed(ann, {"Studio", "Ann Lee"})
        lead.screenshot(path=str(artifacts_dir / f"watchers_after_leaving_{backend}.png"))
        for page in (lead, ann):
            assert page.errors == [], page.errors
    finally:
        for context, _page in contexts:
            context.close()
