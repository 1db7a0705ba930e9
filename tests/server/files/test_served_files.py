"""What the server serves cannot run script in its origin, and no API key
or token is taken in a download URL or written to a log.

An uploaded ``report.html`` is served as ``application/octet-stream`` with
``Content-Disposition: attachment`` (movies and a short list of images keep their types), every
answer carries ``X-Content-Type-Options: nosniff`` and a restrictive Content-Security-Policy, an
``apiKey`` in a ``/component/get`` URL is exchanged at once for a short-lived signed URL (the
key never reaches the browser's history or a ``Referer``), and the request log (mode 0600)
holds no key or token from any header.
"""

from __future__ import annotations

import os
import stat
from typing import Any, Dict

import requests
from support.insiders import (
    assert_unchanged,
    personal_widget,
    publication,
    review_of,
    snapshot,
    stored_component,
    token_of,
    widget,
)
from support.trust import call, update

SCRIPT = b"<!doctype html><script>fetch('/api?k='+location.search)</script>"


def _headers(who: Any) -> Dict[str, str]:
    return {"ftrack-user": who.user, "ftrack-api-key": who.key}


def assert_served_safely(response: requests.Response) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers.get("x-content-type-options") == "nosniff"
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'none'" in policy or "sandbox" in policy, policy
    kind = response.headers.get("content-type", "")
    assert kind.split(";")[0] == "application/octet-stream", kind
    assert response.headers.get("content-disposition", "").startswith("attachment"), (
        response.headers
    )


def test_an_uploaded_html_file_is_a_download_not_a_page(trust_world: Any) -> None:
    world, mallory = trust_world, trust_world.mallory
    mine = publication(world, mallory)
    report = stored_component(world, mallory, mine["version"], SCRIPT, "report", "report.html")
    for who in (mallory, world.admin):  # the victim opening the link is the admin
        got = requests.get(f"{world.url}/component/get", params={"id": report},
                           headers=_headers(who), timeout=30)  # fmt: skip
        assert_served_safely(got)
        assert got.content == SCRIPT


def test_a_thumbnail_pointed_at_html_is_not_served_as_html_on_the_review_page(
    trust_world: Any,
) -> None:
    world, mallory = trust_world, trust_world.mallory
    review = review_of(world, mallory, private=False)
    version = review.published["version"]
    report = stored_component(world, mallory, version, SCRIPT, "report", "report.html")
    response = call(world.server, [update("AssetVersion", version, thumbnail_id=report)],
                    **mallory.auth)  # fmt: skip
    assert response.status_code == 200, response.text
    room = token_of(widget(world, world.alice, "ReviewSession", review.session))
    got = requests.get(f"{world.url}/review/{review.session}/media/{report}",
                       params={"token": room}, timeout=30)  # fmt: skip
    # a room link is a client link: under the default policy (nothing whole) a file the server
    # can neither cut nor mark is refused, as JSON, never a page
    assert got.status_code == 415, got.text[:500]
    assert got.headers["content-type"].startswith("application/json"), got.headers
    assert "republish it as an MP4 movie" in got.json()["error"]
    own = token_of(personal_widget(world, mallory, review.session))  # the owner gets the file
    got = requests.get(f"{world.url}/review/{review.session}/media/{report}",
                       params={"token": own}, timeout=30)  # fmt: skip
    assert_served_safely(got)


def test_every_answer_forbids_sniffing_and_foreign_script(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    mine = publication(world, alice)
    answers = {
        "movie": requests.get(f"{world.url}/component/get", params={"id": mine["movie"]},
                              headers=_headers(alice), timeout=30),
        "api": call(world.server, [{"action": "query_server_information"}], **alice.auth),
        "root": requests.get(world.url + "/", timeout=30),
        "missing": requests.get(world.url + "/favicon.ico", timeout=30),
    }  # fmt: skip
    for name, got in answers.items():
        assert got.headers.get("x-content-type-options") == "nosniff", name
        policy = got.headers.get("content-security-policy", "")
        assert "default-src" in policy and "'unsafe-inline'" not in policy, (name, policy)
    movie = answers["movie"]
    assert movie.headers["content-type"].startswith("video/mp4"), movie.headers
    assert movie.content == b"movie-bytes" * 100


def test_an_api_key_in_a_download_url_is_exchanged_for_a_signed_url(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    mine = publication(world, alice)
    before = snapshot(world)
    params = {"id": mine["movie"], "username": alice.user, "apiKey": alice.key}
    first = requests.get(f"{world.url}/component/get", params=params, timeout=30,
                         allow_redirects=False)  # fmt: skip
    assert first.status_code in (302, 303, 307), (first.status_code, first.text[:300])
    target = first.headers["location"]
    assert alice.key not in target and "apiKey" not in target, target
    assert first.headers.get("referrer-policy") == "no-referrer"
    followed = requests.get(requests.compat.urljoin(world.url, target), timeout=30)
    assert followed.status_code == 200 and followed.content == b"movie-bytes" * 100
    forged = requests.get(requests.compat.urljoin(world.url, target)[:-3] + "AAA", timeout=30)
    assert forged.status_code == 403, forged.text
    # a wrong key is refused as before, and gets no signed URL
    params["apiKey"] = "wrong"
    wrong = requests.get(f"{world.url}/component/get", params=params, timeout=30,
                         allow_redirects=False)  # fmt: skip
    assert wrong.status_code == 401 and "location" not in wrong.headers
    assert_unchanged(world, before)


def test_no_key_or_token_reaches_the_request_log_through_any_header(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    secret_url = (f"{world.url}/component/get?id=x&username=alice&apiKey={alice.key}"
                  f"&token=tok-SECRET-1")  # fmt: skip
    sent = {
        "Referer": secret_url,
        "Origin": secret_url,
        "Authorization": f"Bearer {alice.key}",
        "Cookie": f"session=tok-SECRET-2; apiKey={alice.key}",
        "X-Review-Token": "tok-SECRET-3",
        "X-Forwarded-Uri": f"/review/x?token=tok-SECRET-4&apiKey={alice.key}",
    }
    mark = world.server.log_mark()
    requests.get(world.url + "/favicon.ico", headers=sent, timeout=30)
    requests.get(world.url + "/", headers=sent, timeout=30)
    logged = world.server.request_log.read_text(encoding="utf-8")
    assert len(world.server.requests_since(mark)) >= 2
    assert alice.key not in logged
    assert "tok-SECRET" not in logged
    mode = stat.S_IMODE(os.stat(world.server.request_log).st_mode)
    assert mode == 0o600, oct(mode)
