"""The web review page of the embedded server, watched in real headless Chromium.

A real H.264 movie (24000/1001 fps, each frame's index drawn as a grey patch) is published
with ``ft_dcc.Session`` to a real embedded server; Chromium opens the signed link from
``get_widget_url`` and the tests check what a reviewer sees and does.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from support import open_session
from support.trust import start_server

from ft_dcc.review import sessions as review_helpers
from ft_dcc.review.feedback import session_feedback

from .feedback_fixtures import personal_url
from .review_fixtures import (
    FPS,
    FRAME_COUNT,
    FRAME_IN,
    GREY_STEP,
    SIZE,
    XSS_NAME,
    publish_review,
)
from .room_fixtures import REVIEWER, say_who_i_am

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSION_NAME = 'Dailies <script>window.__xss = 3</script> & "anim"'

#: Mean grey of the frame index patch of the picture the <video> element shows now.
PATCH_GREY_JS = """(video) => {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const pixels = context.getImageData(12, 12, 24, 24).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        sum += (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
    }
    return sum / (pixels.length / 4);
}"""


def shown_index(video: Any, until: int) -> int:
    """Which frame of the movie the video element is displaying (from its grey patch).

    A seek can report done a moment before the new picture is composited on a loaded machine,
    so this reads until the picture is frame ``until`` or 30 s pass, and returns the last read.
    """
    deadline = time.monotonic() + 30
    while True:
        index = round(video.evaluate(PATCH_GREY_JS) / GREY_STEP)
        if index == until or time.monotonic() > deadline:
            return index
        time.sleep(0.1)


def wait_seeked(page: Any) -> None:
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return !v.seeking && v.readyState >= 2; }"
    )


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The module's own server (the list page lists every open session of its server): each
    test publishes its own project and session on it."""
    server = start_server(tmp_path_factory.mktemp("review_page"))
    yield server
    server.stop()


@pytest.fixture
def published(review_server: Any, tmp_path: Path) -> Any:
    with open_session(review_server, tmp_path) as session:
        review = publish_review(session, tmp_path, session_name=SESSION_NAME)
        url = session.get_widget_url("review_session", review.review_session)
        yield session, review, url


def test_widget_url_is_a_signed_review_link_without_the_api_key(
    published: Any, review_server: Any
) -> None:
    session, review, url = published
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == review_server.url
    assert parts.path == f"/review/{review.review_session['id']}"
    assert list(parse_qs(parts.query)) == ["token"]
    assert review_server.api_key not in url
    assert (review_server.data_dir / "review-page.key").stat().st_mode & 0o077 == 0
    listing = session.call([{"action": "get_widget_url", "name": "review_session"}])[0]
    assert urlsplit(listing["widget_url"]).path == "/review/"


def test_review_page_plays_seeks_steps_and_takes_notes(
    published: Any, review_server: Any, page: Any, artifacts_dir: Path
) -> None:
    session, review, url = published
    mark = review_server.log_mark()
    response = page.goto(url)
    assert response.status == 200

    # Names are text, never markup; items follow sort_order.
    assert page.locator(".session-name").inner_text() == SESSION_NAME
    assert page.locator(".project").first.inner_text().lower() == "web review test"
    assert page.evaluate("() => window.__xss") is None
    items = page.locator("article.item")
    assert items.count() == 2
    assert items.nth(0).get_attribute("data-object-id") == review.movie_object["id"]
    assert items.nth(1).locator(".asset").inner_text() == XSS_NAME
    # the room link is a guest's: no artist's comment, no artist (the studio's own page has
    # them, escaped)
    assert items.nth(1).locator(".comment").inner_text() == ""
    first = items.nth(0)
    assert first.locator(".asset").inner_text() == "sh010_anim"
    assert first.locator(".version").inner_text() == "v001"
    assert first.locator(".comment").inner_text() == ""
    assert "test user" not in first.locator(".byline").inner_text()
    studio = requests.get(personal_url(session, review.review_session), timeout=30).text
    assert "blocking pass, arm fix" in studio and "test user" in studio
    assert "&lt;img src=x onerror=window.__xss=2&gt;" in studio and "<img src=x" not in studio
    assert (
        first.locator(".frame-range").inner_text()
        == f"{FRAME_IN}\u2013{FRAME_IN + FRAME_COUNT - 1}"
    )

    # The movie really plays.
    video = first.locator("video")
    page.wait_for_function("() => document.querySelector('video').readyState >= 3")
    facts = video.evaluate(
        "v => ({w: v.videoWidth, h: v.videoHeight, error: v.error, d: v.duration})"
    )
    assert (facts["w"], facts["h"]) == SIZE
    assert facts["error"] is None
    assert facts["d"] == pytest.approx(FRAME_COUNT / float(FPS), abs=0.05)
    first.locator("button.play").click()
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.5")
    assert video.evaluate("v => !v.paused && v.error === null")
    first.locator("button.play").click()
    page.wait_for_function("() => document.querySelector('video').paused")

    # Seek (HTTP Range) to frame index 30: counter and picture agree.
    video.evaluate(f"v => {{ v.currentTime = {30.5 / float(FPS)}; }}")
    wait_seeked(page)
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{FRAME_IN + 30}'"
    )
    assert shown_index(video, until=30) == 30
    assert first.locator(".note-at").inner_text() == str(FRAME_IN + 30)

    # Step one frame forward twice and back once, with the buttons: still frame-accurate.
    for button, expected in (("step-forward", 31), ("step-forward", 32), ("step-back", 31)):
        first.locator(f"button.{button}").click()
        wait_seeked(page)
        page.wait_for_function(
            f"() => document.querySelector('.frame-number').textContent === '{FRAME_IN + expected}'"
        )
        assert shown_index(video, until=expected) == expected

    # The keyboard steps the active item too.
    page.locator(".session-name").click()
    page.keyboard.press("ArrowRight")
    wait_seeked(page)
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{FRAME_IN + 32}'"
    )
    assert shown_index(video, until=32) == 32
    page.keyboard.press("ArrowLeft")
    wait_seeked(page)
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{FRAME_IN + 31}'"
    )

    # The poster (the version's thumbnail) is served through the same token.
    poster = video.evaluate(
        "v => fetch(v.poster).then(r => [r.status, r.headers.get('content-type')])"
    )
    assert poster == [200, "image/jpeg"]

    media = [
        r
        for r in review_server.requests_since(mark)
        if r["path"]
        == f"/review/{review.review_session['id']}/media/{review.movie_component['id']}"
    ]
    assert any(r["status"] == 206 and "range" in r["headers"] for r in media), media
    assert {(r["ftrack_user"], r["auth_ok"]) for r in media} == {("test.user", True)}
    assert all(
        review_server.api_key not in json.dumps(r) for r in review_server.requests_since(mark)
    )

    # A note at the current frame lands in the Store, authored by who the room link's holder
    # said they are (never the user who made the link).
    say_who_i_am(page)
    note_text = "Elbow pops here <b>not bold</b>"
    first.locator("textarea").fill(note_text)
    first.locator("button.add-note").click()
    page.wait_for_function("() => document.querySelector('.item').dataset.notesAdded === '1'")
    assert first.locator(".note-content").last.inner_text() == note_text
    assert first.locator(".note-frame").last.inner_text() == str(FRAME_IN + 31)
    assert first.locator(".note-count").inner_text() == "1"
    feedback = session_feedback(session, review.review_session)
    notes = {f.review_session_object_id: f.notes for f in feedback}
    [note] = notes[review.movie_object["id"]]
    assert (note.content, note.frame) == (note_text, FRAME_IN + 31)
    assert (note.author, note.author_email) == REVIEWER
    assert notes[review.xss_object["id"]] == []

    # After a reload the note is still there; clicking its frame seeks the player to it.
    first.locator("button.step-forward").click()
    page.reload()
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")
    first = page.locator("article.item").nth(0)
    assert first.locator(".note-content").inner_text() == note_text
    first.locator(".note-frame").click()
    wait_seeked(page)
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{FRAME_IN + 31}'"
    )
    assert shown_index(first.locator("video"), until=31) == 31
    assert page.evaluate("() => window.__xss") is None

    # A note someone else adds (through the API) shows up without a reload.
    other = session.create(
        "Note",
        {
            "content": "From the supervisor: hold 4 frames longer",
            "parent_id": review.movie_object["id"],
            "parent_type": "ReviewSessionObject",
            "user_id": session.query('User where username is "test.user"').one()["id"],
        },
    )
    session.create(
        "Metadata",
        {"parent_id": other["id"], "parent_type": "Note", "key": "frame", "value": "1040"},
    )
    session.commit()
    page.wait_for_selector(f'.note[data-note-id="{other["id"]}"]', timeout=25_000)
    assert first.locator(".note-count").inner_text() == "2"
    assert first.locator(".note-frame").last.inner_text() == "1040"

    page.screenshot(path=str(artifacts_dir / "review_page.png"), full_page=True)


def test_bad_expired_or_foreign_tokens_get_403_and_no_data(
    published: Any, review_server: Any, page: Any, tmp_path: Path
) -> None:
    session, review, url = published
    session_id = review.review_session["id"]
    token = parse_qs(urlsplit(url).query)["token"][0]
    body, mac = token.split(".")
    forged = body + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
    short = session.call(
        [
            {
                "action": "get_widget_url",
                "name": "review_session",
                "entity_type": "ReviewSession",
                "entity_key": [session_id],
                "expires_in": 1,
            }
        ]
    )[0]["widget_url"]
    other = session.create("ReviewSession", {"name": "Other dailies", "project": review.project})
    session.commit()
    other_url = session.get_widget_url("review_session", other)
    time.sleep(2.2)  # let the one-second link expire

    refused = {
        "no token": f"{review_server.url}/review/{session_id}",
        "forged": f"{review_server.url}/review/{session_id}?token={forged}",
        "expired": short,
        "other session": other_url.replace(other["id"], session_id),
        "session token on the list": f"{review_server.url}/review/?token={token}",
    }
    for why, address in refused.items():
        response = page.goto(address)
        assert response.status == 403, why
        text = page.content()
        assert "sh010_anim" not in text and "Dailies" not in text, why
        assert page.locator("video").count() == 0, why

    movie = f"/review/{session_id}/media/{review.movie_component['id']}"
    assert requests.get(f"{review_server.url}{movie}?token={forged}", timeout=10).status_code == 403
    assert requests.get(f"{review_server.url}{movie}", timeout=10).status_code == 403
    # The room link watches only (no download policy set): bounded parts, never the whole file.
    first = requests.get(f"{review_server.url}{movie}?token={token}", timeout=10)
    assert first.status_code == 206 and first.headers["content-type"] == "video/mp4"
    size = int(first.headers["content-range"].rsplit("/", 1)[1])
    assert 200 <= len(first.content) < size
    part = requests.get(
        f"{review_server.url}{movie}?token={token}", headers={"Range": "bytes=100-199"}, timeout=10
    )
    assert part.status_code == 206 and part.content == first.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    # The valid token opens only this session's media, not other components by id.
    stranger = requests.get(
        f"{review_server.url}/review/{other['id']}/media/{review.movie_component['id']}"
        f"?token={parse_qs(urlsplit(other_url).query)['token'][0]}",
        timeout=10,
    )
    assert stranger.status_code == 404

    posted = requests.post(
        f"{review_server.url}/review/{session_id}/notes?token={forged}",
        json={"object_id": review.movie_object["id"], "content": "sneaky", "frame": 1},
        timeout=10,
    )
    assert posted.status_code == 403
    feed = f"{review_server.url}/review/{session_id}/notes"
    assert requests.get(f"{feed}?token={forged}", timeout=10).status_code == 403
    assert requests.get(f"{feed}?token={token}", timeout=10).json() == {
        review.movie_object["id"]: [],
        review.xss_object["id"]: [],
    }
    found = session.query(
        f'select id from Note where parent_id is "{review.movie_object["id"]}"'
    ).all()
    assert found == []


def test_list_page_shows_open_sessions_only(published: Any, review_server: Any, page: Any) -> None:
    session, review, _ = published
    closed = session.create("ReviewSession", {"name": "Closed dailies", "project": review.project})
    session.commit()
    review_helpers.close_review_session(session, closed)
    url = session.call([{"action": "get_widget_url", "name": "review_session"}])[0]["widget_url"]
    response = page.goto(url)
    assert response.status == 200
    names = page.locator(".session-list .name").all_inner_texts()
    assert SESSION_NAME in names
    assert "Closed dailies" not in names
    page.locator(f'.session-list a[href*="{review.review_session["id"]}"]').click()
    page.wait_for_selector("article.item")
    assert page.locator(".session-name").inner_text() == SESSION_NAME


def test_closed_session_shows_feedback_but_takes_no_new_notes(
    published: Any, review_server: Any, page: Any, artifacts_dir: Path
) -> None:
    session, review, room_url = published
    review_helpers.close_review_session(session, review.review_session)
    # a client link (the room link) of a closed session opens nothing; the owner's page shows it
    assert requests.get(room_url, timeout=30).status_code == 403
    url = personal_url(session, review.review_session)
    response = page.goto(url)
    assert response.status == 200
    assert page.locator(".badge").inner_text() == "Closed"
    assert page.locator(".note-form").count() == 0
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")
    # nothing new can arrive: the page does not claim to be live
    page.wait_for_function(
        "() => !document.querySelector('.live-state').textContent.startsWith('connecting')"
    )
    assert page.locator(".live-state").inner_text() == "Closed: feedback is final"
    assert page.locator("main.items").get_attribute("data-live") is None  # no event stream
    page.screenshot(path=str(artifacts_dir / "review_closed_session.png"))
    token = parse_qs(urlsplit(url).query)["token"][0]
    posted = requests.post(
        f"{review_server.url}/review/{review.review_session['id']}/notes?token={token}",
        json={"object_id": review.movie_object["id"], "content": "too late", "frame": 1001},
        timeout=10,
    )
    assert posted.status_code == 409
    assert "closed" in posted.json()["error"]
    found = session.query(
        f'select id from Note where parent_id is "{review.movie_object["id"]}"'
    ).all()
    assert found == []
