"""One user cannot hold the server's long-lived connections for everyone: event hub sockets
per API user and review ``/live`` streams per viewer are capped, one more is refused with a
clear 429 naming the limit, and other users still connect (caps of 3 and 2, injected through
the environment, on a server of this module's own).

Seen failing first: a fourth socket and a third stream of the same holder were accepted (any
number were: 150 of each slowed everyone else's requests from 7 to 226 ms).
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator, List

import pytest
import requests
from support.insiders import make_world, personal_widget, review_of, token_of, widget
from support.trust import add_api_user
from support.waiting import wait_until

from ..grants.hub_socket import HubSocket
from ..grants.test_live_revocation import LiveStream

SOCKETS = 3
STREAMS = 2


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FT_DCC_MAX_SOCKETS_PER_USER", str(SOCKETS))
        patch.setenv("FT_DCC_MAX_STREAMS_PER_VIEWER", str(STREAMS))
        world = make_world(tmp_path_factory.mktemp("capped"), "sqlite")
    yield world
    world.server.stop()


@pytest.fixture
def opened() -> Iterator[List[Any]]:
    things: List[Any] = []
    yield things
    for thing in things:
        thing.close()


def _handshake(world: Any, user: str, key: str) -> requests.Response:
    return requests.get(world.url + "/socket.io/1/", timeout=30,
                        headers={"ftrack-user": user, "ftrack-api-key": key})  # fmt: skip


def test_one_socket_more_than_the_cap_is_refused_others_connect(
    capped: Any, opened: List[Any]
) -> None:
    name = "sockets-" + uuid.uuid4().hex[:6]
    _user_id, key = add_api_user(capped.server, name)
    for _ in range(SOCKETS):
        opened.append(HubSocket(capped.url, capped.server.port, name, key))

    refused = _handshake(capped, name, key)

    assert refused.status_code == 429, refused.text
    assert "FT_DCC_MAX_SOCKETS_PER_USER" in refused.text and str(SOCKETS) in refused.text
    other = capped.alice
    opened.append(HubSocket(capped.url, capped.server.port, other.user, other.key))
    opened.pop(0).close()  # one closed: the user may connect again
    wait_until(lambda: _handshake(capped, name, key).status_code == 200, "a socket freed")


def test_one_stream_more_than_the_cap_is_refused_other_viewers_connect(
    capped: Any, opened: List[Any]
) -> None:
    review = review_of(capped, capped.alice)
    token = token_of(widget(capped, capped.alice, "ReviewSessionInvitee", review.client))
    for _ in range(STREAMS):
        stream = LiveStream(capped.url, review.session, token)
        opened.append(stream)
        wait_until(lambda s=stream: s.mentions("connected"), "the stream to open")

    refused = requests.get(f"{capped.url}/review/{review.session}/live",
                           params={"token": token}, timeout=60, stream=True)  # fmt: skip
    opened.append(refused)

    assert refused.status_code == 429
    assert "FT_DCC_MAX_STREAMS_PER_VIEWER" in refused.text
    owner = token_of(personal_widget(capped, capped.alice, review.session))
    opened.append(LiveStream(capped.url, review.session, owner))  # another viewer
