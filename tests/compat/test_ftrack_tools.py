"""ftrack's own tools against the embedded server, unchanged: what they send and what they expect.

- ``_track_usage``: the usage event ftrack's DCC framework, Connect and the application launcher
  send with every discovery, engine and plugin run (``session.call([{"action": "_track_usage",
  "data": {"type": "event", "name": ..., "metadata": ...}}])``); ftrack accepts it, the callers
  ignore the reply and log an ERROR with a traceback when the call raises.
- ``thumbnail_url``: ftrack answers ``{"url": <absolute URL>, "value": <component id>}`` and
  ftrack's thumbnail widget passes the URL straight to ``urlopen``: no API headers, no key.
- The upstream client test ``test/unit/entity/test_location.py::test_get_thumbnail_url`` (the
  server location's ``get_thumbnail_url`` of an image component, ``size=10``, fetched with a plain
  ``requests.get``), here as :func:`test_get_thumbnail_url`.
- The asset types ftrack's own publishers look up by ``short`` (``script``: the Nuke script and
  standalone file publishers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ft_dcc.server.model import builtin_data
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.store.store import Store

from .test_genuine_client import SERVER_LOCATION_ID, make_hierarchy, still_image

ftrack_api = pytest.importorskip("ftrack_api")
Image = pytest.importorskip("PIL.Image")

pytestmark = pytest.mark.compat


# -- _track_usage ---------------------------------------------------------------------------------
def _usage_batch(name: str) -> list:
    """What ``ftrack_utils.usage`` sends (one operation per metadata item)."""
    return [
        {
            "action": "_track_usage",
            "data": {"type": "event", "name": name, "metadata": {"module": "publisher", "n": i}},
        }
        for i in range(2)
    ]


def test_track_usage_is_accepted_and_dropped(session, embedded_server):
    log_size = embedded_server.stderr_path.stat().st_size
    before = session.query("select id from Note").all()
    replies = session.call(_usage_batch("USED-FRAMEWORK-PUBLISHER"))
    assert len(replies) == 2 and all(isinstance(reply, dict) for reply in replies)
    # beside data operations in one batch too, in order
    expression = f'select name from Location where id is "{SERVER_LOCATION_ID}"'
    mixed = session.call(
        [*_usage_batch("USED-FRAMEWORK-OPENER")[:1], {"action": "query", "expression": expression}]
    )
    assert mixed[1]["data"][0]["name"] == "ftrack.server"
    # nothing a user reads: no note, no line in the server's log
    session.reset()
    assert len(session.query("select id from Note").all()) == len(before)
    with open(embedded_server.stderr_path, "rb") as log:
        log.seek(log_size)
        written = log.read()
    assert b"USED-FRAMEWORK" not in written and b"_track_usage" not in written


def test_an_unknown_action_still_refused_without_listing_private_ones(session):
    with pytest.raises(ftrack_api.exception.ServerError) as refused:
        session.call([{"action": "_no_such_action"}])
    assert "Invalid action" in str(refused.value)
    assert "_track_usage" not in str(refused.value)


# -- thumbnail_url ------------------------------------------------------------------------------
def _versions_thumbnail(session: Any, tmp_path: Path) -> tuple:
    made = make_hierarchy(session)
    image = still_image(tmp_path / "thumb.png", "96x54")
    thumbnail = made["version"].create_thumbnail(str(image))
    session.commit()
    return made["version"]["id"], thumbnail["id"], image


def test_thumbnail_url_opens_with_a_plain_get(session, make_session, embedded_server, tmp_path):
    version_id, thumbnail_id, image = _versions_thumbnail(session, tmp_path)
    fresh = make_session()
    answer = fresh.query(
        f'select thumbnail_url from AssetVersion where id is "{version_id}"'
    ).one()["thumbnail_url"]
    assert answer["value"] == thumbnail_id
    url = answer["url"]
    assert url.startswith(embedded_server.url + "/component/thumbnail?")
    query = parse_qs(urlsplit(url).query)
    assert query["id"] == [thumbnail_id] and query["token"]
    assert "apiKey" not in url and embedded_server.api_key not in url
    # as ftrack's thumbnail widget opens it: urlopen, no headers, no cookies
    with urllib.request.urlopen(url, timeout=30) as reply:
        assert reply.status == 200
        body = reply.read()
    assert body == image.read_bytes()
    # the same through the nested projection and the created entity's echo
    nested = fresh.query(
        f'select asset.versions.thumbnail_url from AssetVersion where id is "{version_id}"'
    ).one()
    urls = [v["thumbnail_url"]["url"] for v in nested["asset"]["versions"] if v["thumbnail_url"]]
    assert urls and all(u.startswith(embedded_server.url + "/component/thumbnail?") for u in urls)


def _forged(embedded_server: Any, component_id: str, expires: int) -> str:
    """A download token for ``component_id`` signed with the server's key, expiring at
    ``expires`` (seconds since the epoch)."""
    secret = (embedded_server.data_dir / "url-signing.key").read_bytes()

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    payload = {"c": component_id, "u": "x", "k": "download", "e": expires}
    body = b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    return body + "." + b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())


def test_thumbnail_url_is_signed_and_expires(session, embedded_server, tmp_path):
    version_id, thumbnail_id, _image = _versions_thumbnail(session, tmp_path)
    expression = f'select thumbnail_url from AssetVersion where id is "{version_id}"'
    asked = int(time.time())
    url = session.query(expression).one()["thumbnail_url"]["url"]
    answered = int(time.time()) + 1
    token = parse_qs(urlsplit(url).query)["token"][0]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert claims["k"] == "download" and claims["c"] == thumbnail_id
    # signed while the query ran, to expire an hour later (the server's clock is this machine's)
    assert asked + 3600 <= claims["e"] <= answered + 3600
    base = f"{embedded_server.url}/component/thumbnail"
    tampered = requests.get(base, params={"id": thumbnail_id, "token": token[:-4] + "AAAA"},
                            timeout=30)  # fmt: skip
    assert tampered.status_code == 403
    expired = requests.get(
        base,
        params={"id": thumbnail_id, "token": _forged(embedded_server, thumbnail_id, 1000)},
        timeout=30,
    )
    assert expired.status_code == 403 and "expired" in expired.json()["content"]
    other = session.query("select id from FileComponent").first()
    if other["id"] != thumbnail_id:
        moved = requests.get(base, params={"id": other["id"], "token": token}, timeout=30)
        assert moved.status_code == 403


@pytest.fixture
def server_image_component(request, session, tmp_path):
    """Upstream's fixture: an image component created in the server location."""
    server_location = session.get("Location", SERVER_LOCATION_ID)
    image = still_image(tmp_path / "image.png", "64x48")
    component = session.create_component(str(image), location=server_location)
    request.addfinalizer(lambda: server_location.remove_component(component))
    return component


def test_get_thumbnail_url(session, server_image_component):
    """ftrack-python-api's ``test/unit/entity/test_location.py::test_get_thumbnail_url``: the
    URL answers with a plain GET; upstream compares with ftrack's own 10-pixel resize of its
    fixture image, here the answer is that image fitted within 10 x 10 pixels."""
    server_location = session.get("Location", SERVER_LOCATION_ID)
    thumbnail_url = server_location.get_thumbnail_url(server_image_component, size=10)
    assert thumbnail_url

    response = requests.get(thumbnail_url)
    response.raise_for_status()

    resized = Image.open(io.BytesIO(response.content))
    assert resized.format == "PNG" and max(resized.size) == 10
    assert resized.size == (10, 8)  # 64 x 48 fitted, aspect kept


# -- asset types -------------------------------------------------------------------------------
@pytest.mark.parametrize("short", ["script", "scene", "geo", "cam", "upload"])
def test_framework_asset_types_found_by_short(session, short):
    asset_type = session.query(f'select name from AssetType where short is "{short}"').one()
    assert asset_type["name"]


def test_an_older_database_gains_the_new_asset_types(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    store = Store(url)
    store.ensure_seed("admin")
    table = store.tables[store.model.types["AssetType"].family]
    with store.write_transaction() as connection:  # as a release without them made it
        connection.execute(table.delete().where(table.c.short.in_(["script", "cam"])))
        connection.execute(  # ... and a studio's own camera type
            table.insert().values(id="f" * 8 + "-0000-0000-0000-" + "0" * 12, name="Cameras",
                                  short="cam", component="main",
                                  **{DISCRIMINATOR: "AssetType"})
        )  # fmt: skip
    store.close()

    upgraded = Store(url)
    upgraded.ensure_seed("admin")
    types = upgraded.query("select name, short from AssetType")
    upgraded.close()
    shorts = [t["short"] for t in types]
    assert shorts.count("script") == 1 and shorts.count("cam") == 1  # the studio's kept
    assert {short for _name, short in builtin_data.ASSET_TYPES} <= set(shorts)
    assert [t["name"] for t in types if t["short"] == "cam"] == ["Cameras"]


# -- a version or task without a thumbnail -------------------------------------------------------
def _framework_versions(session: Any, task_id: str, asset_type_id: str) -> list:
    """What ftrack's framework plugin ``store_asset_context`` reads when its publisher opens on a
    task (its ``ui_hook``): every Asset of the type with versions on the task, with each
    version's ``thumbnail_url``, then ``version["thumbnail_url"]["url"]`` unconditionally."""
    assets = session.query(
        "select name, id, latest_version.version, versions, versions.id, versions.date, "
        "versions.version, versions.is_latest_version, versions.thumbnail_url, "
        "versions.user.first_name, versions.user.last_name, versions.status.name from Asset "
        f"where versions.task_id is {task_id} and type.id is {asset_type_id}"
    ).all()
    with session.auto_populating(False):
        return [
            (version["version"], asset["latest_version"]["version"] + 1,
             version["thumbnail_url"]["url"])
            for asset in assets
            for version in asset["versions"]
        ]  # fmt: skip


def test_no_thumbnail_answers_ftracks_placeholder(session, make_session, embedded_server):
    """A version or task without a thumbnail answers ftrack's placeholder image (never null):
    the framework's ``store_asset_context`` opens on a task whose asset has a version without
    one, and the second version is published after it."""
    made = make_hierarchy(session)  # v001: no thumbnail
    asset_type = session.query('select id from AssetType where short is "script"').one()
    made["asset"]["type"] = asset_type
    session.commit()
    fresh = make_session()
    placeholder = embedded_server.url + "/img/thumbnail2.png"
    assert _framework_versions(fresh, made["task"]["id"], asset_type["id"]) == [(1, 2, placeholder)]
    for entity_type, entity in (("Task", made["task"]), ("Shot", made["shot"]),
                                ("Project", made["project"])):  # fmt: skip
        answer = fresh.query(
            f'select thumbnail_url from {entity_type} where id is "{entity["id"]}"'
        ).one()["thumbnail_url"]
        assert answer == {"url": placeholder, "value": None}, entity_type
    # the URL opens as ftrack's thumbnail widget opens one: a plain GET, an image
    with urllib.request.urlopen(placeholder, timeout=30) as reply:
        assert reply.status == 200 and reply.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(reply.read())).width > 0
    # the framework's publisher then makes v002 on that asset
    fresh.create("AssetVersion", {"asset": fresh.get("Asset", made["asset"]["id"]),
                                  "task": fresh.get("Task", made["task"]["id"])})  # fmt: skip
    fresh.commit()
    again = make_session()
    read = _framework_versions(again, made["task"]["id"], asset_type["id"])
    assert sorted(row[:2] for row in read) == [(1, 3), (2, 3)]  # (in no set order)
