"""The sign-in tests' shared fixture: a review page open through a sign-in."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from support.insiders import review_of
from support.waiting import wait_until

from server.grants.test_live_revocation import LiveStream
from server.grants.test_live_revocation import _note as note
from server.signin.people import new_signer, signed_in


@pytest.fixture
def opened(trust_world: Any) -> Iterator[Any]:
    """A new signer signed in, with a review page of alice's session open through the sign-in
    and its ``/live`` stream receiving: (signer, browser, csrf, review, token, stream)."""
    world = trust_world
    signer = new_signer(world, "reviewer")
    browser, csrf = signed_in(world, signer)
    review = review_of(world, world.alice, private=False)
    went = browser.get(f"{world.url}/signin/review/{review.session}", allow_redirects=False,
                       timeout=60)  # fmt: skip
    assert went.status_code == 303, went.text[:500]
    token = parse_qs(urlsplit(went.headers["location"]).query)["token"][0]
    page = browser.get(world.url + went.headers["location"], timeout=60)
    assert page.status_code == 200, page.text[:500]
    assert signer.key not in page.text and world.alice.key not in page.text  # no key travels
    stream = LiveStream(world.url, review.session, token)
    wait_until(lambda: stream.mentions("connected"), "the stream to open")
    first = note(world, review)
    wait_until(lambda: stream.mentions(first), "the stream to receive a note")
    yield signer, browser, csrf, review, token, stream
    stream.close()
