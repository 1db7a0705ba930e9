"""The GENUINE ftrack-python-api client (3.1.0) against the running embedded server.

Each test drives ``ftrack_api.Session`` over real HTTP on 127.0.0.1 and checks the outcome on the
server side too (request log, downloads, ffprobe), so the server cannot pass by luck.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, List

import pytest
import requests

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat

SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"


def still_image(path: Path, size: str) -> Path:
    """One ffmpeg test-pattern frame of ``size`` (e.g. ``"160x90"``) written to ``path``."""
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-f", "lavfi",
         "-i", f"testsrc=size={size}", "-frames:v", "1", str(path)],
        check=True,
    )  # fmt: skip
    return path


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def make_hierarchy(session: Any) -> dict:
    """Project / Shot / Task / Asset / AssetVersion, committed."""
    project_schema = session.query("ProjectSchema").first()
    project = session.create(
        "Project",
        {"name": unique("proj"), "full_name": "Compat Project", "project_schema": project_schema},
    )
    shot = session.create("Shot", {"name": "sh010", "parent": project})
    task = session.create("Task", {"name": "compositing", "parent": shot})
    asset_type = session.query("AssetType").first()
    asset = session.create("Asset", {"name": "plate", "parent": shot, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset, "task": task, "comment": "first"})
    session.commit()
    return {"project": project, "shot": shot, "task": task, "asset": asset, "version": version}


def make_movie(path: Path, seconds: int = 1) -> Path:
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-f", "lavfi",
         "-i", f"testsrc=size=320x240:rate=24:duration={seconds}", "-f", "lavfi",
         "-i", f"sine=frequency=440:duration={seconds}", "-c:v", "mpeg4", "-c:a", "pcm_s16le",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


# -- session start --------------------------------------------------------------------------------
def test_session_start_and_schema_cache_hit(embedded_server, make_session, tmp_path):
    cold = tmp_path / "cold-schema-cache"  # empty (make_session's own is seeded warm)
    cold.mkdir()
    mark = embedded_server.log_mark()
    first = make_session(schema_cache_path=str(cold))
    assert first.server_information["schema_hash"]
    started = embedded_server.api_requests_since(mark)
    assert [r["actions"] for r in started] == [["query_server_information"], ["query_schemas"]]
    assert all(r["auth_ok"] and r["headers"]["ftrack-api-key"] == "<redacted>" for r in started)

    mark = embedded_server.log_mark()
    second = make_session(schema_cache_path=str(cold))
    assert [r["actions"] for r in embedded_server.api_requests_since(mark)] == [
        ["query_server_information"]
    ]
    assert set(second.types) == set(first.types)
    assert {"Location", "FileComponent", "ReviewSession", "AssetVersion"} <= set(second.types)


def test_builtin_locations_are_seeded(session):
    names = {loc["name"]: loc["id"] for loc in session.query("select name from Location")}
    assert names["ftrack.server"] == SERVER_LOCATION_ID
    assert {"ftrack.origin", "ftrack.unmanaged", "ftrack.review", "ftrack.connect"} <= set(names)
    assert session.query('Location where name is "ftrack.server"').one() is session.get(
        "Location", SERVER_LOCATION_ID
    )


# -- create, query, update, delete, rollback ----------------------------------------------------
def test_create_hierarchy_and_query_back_with_projections_and_relation_filters(
    session, make_session
):
    made = make_hierarchy(session)
    version = made["version"]
    assert version["version"] >= 1  # assigned by the server, echoed in the create reply

    fresh = make_session()
    found = fresh.query(
        "select version, comment, asset.name, asset.parent.name, task.name from AssetVersion "
        f'where asset.parent.parent.name is "{made["project"]["name"]}"'
    ).all()
    assert len(found) == 1
    got = found[0]
    assert got["id"] == version["id"] and got["comment"] == "first"
    assert got["asset"]["name"] == "plate" and got["asset"]["parent"]["name"] == "sh010"
    assert got["task"]["name"] == "compositing"
    shots = fresh.query(f'Shot where project.id is "{made["project"]["id"]}"').all()
    assert [s["name"] for s in shots] == ["sh010"]
    contexts = fresh.query(
        f'select name from Context where project_id is "{made["project"]["id"]}"'
    ).all()
    assert {type(c).__name__ for c in contexts} >= {"Shot", "Task"}


def test_update_delete_and_rollback(session, make_session):
    made = make_hierarchy(session)
    version = made["version"]
    version["comment"] = "changed"
    session.commit()
    assert version["comment"] == "changed"
    assert make_session().get("AssetVersion", version["id"])["comment"] == "changed"

    version["comment"] = "not committed"
    session.rollback()
    other = make_session()
    assert other.get("AssetVersion", version["id"])["comment"] == "changed"

    with pytest.raises(ftrack_api.exception.ServerError, match="IntegrityError"):
        session.delete(made["task"])  # it holds a published version: refused, nothing lost
        session.commit()
    session.rollback()
    session.delete(version)
    session.delete(made["task"])
    session.commit()
    assert make_session().get("Task", made["task"]["id"]) is None


def test_failed_commit_writes_nothing(session, make_session):
    name = unique("atomic")
    project_schema = session.query("ProjectSchema").first()
    session.create("Project", {"name": name, "full_name": name, "project_schema": project_schema})
    session.create(
        "Asset", {"name": "orphan", "parent": {"__entity_type__": "Shot", "id": str(uuid.uuid4())}}
    )
    with pytest.raises(ftrack_api.exception.ServerError) as caught:
        session.commit()
    assert "operation 2" in str(caught.value.message).lower()
    session.rollback()
    assert make_session().query(f'Project where name is "{name}"').all() == []


# -- files ----------------------------------------------------------------------------------------
def test_upload_to_server_location_with_ftr_meta_and_download_with_range(
    embedded_server, session, make_session, tmp_path
):
    made = make_hierarchy(session)
    payload = tmp_path / "review.mp4"
    payload.write_bytes(bytes(range(256)) * 4000)
    server_location = session.query('Location where name is "ftrack.server"').one()
    mark = embedded_server.log_mark()
    component = made["version"].create_component(
        str(payload), data={"name": "ftrackreview-mp4"}, location=server_location
    )
    component["metadata"]["ftr_meta"] = json.dumps(
        {"frameIn": 0, "frameOut": 24, "frameRate": 24.0}
    )
    session.commit()
    seen = embedded_server.requests_since(mark)
    put = [r for r in seen if r["method"] == "PUT"]
    assert len(put) == 1 and put[0]["status"] == 200
    assert "ftrack-api-key" not in put[0]["headers"]  # the client PUTs with the signed URL only

    fresh = make_session()
    again = fresh.get("FileComponent", component["id"])
    assert json.loads(again["metadata"]["ftr_meta"])["frameOut"] == 24
    assert again["version"]["id"] == made["version"]["id"]
    location = fresh.get("Location", SERVER_LOCATION_ID)
    assert location.get_component_availability(again) == 100.0
    url = location.get_url(again)
    whole = requests.get(url, timeout=30)
    assert hashlib.md5(whole.content).hexdigest() == hashlib.md5(payload.read_bytes()).hexdigest()
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=30)
    assert part.status_code == 206 and part.content == payload.read_bytes()[100:200]
    handle = location.accessor.open(location.get_resource_identifier(again), "rb")
    try:
        assert handle.read() == payload.read_bytes()
    finally:
        handle.close()


def test_create_thumbnail_and_remove_component(session, make_session, tmp_path):

    made = make_hierarchy(session)
    image = still_image(tmp_path / "thumb.jpg", "160x90")
    thumbnail = made["version"].create_thumbnail(str(image))
    fresh = make_session()
    version = fresh.get("AssetVersion", made["version"]["id"])
    assert version["thumbnail_id"] == thumbnail["id"]
    location = fresh.get("Location", SERVER_LOCATION_ID)
    url = location.get_thumbnail_url(fresh.get("FileComponent", thumbnail["id"]), size=64)
    assert requests.get(url, timeout=30).content[:2] == b"\xff\xd8"

    component = fresh.get("FileComponent", thumbnail["id"])
    file_url = location.get_url(component)
    assert requests.get(file_url, timeout=30).status_code == 200
    location.remove_component(component)
    assert location.get_component_availability(component) == 0.0
    assert requests.get(file_url, timeout=30).status_code == 404


# -- review sessions ------------------------------------------------------------------------------
def test_review_session_with_object_and_invitee(session, make_session):
    made = make_hierarchy(session)
    review = session.create(
        "ReviewSession", {"name": unique("daily"), "description": "", "project": made["project"]}
    )
    obj = session.create(
        "ReviewSessionObject",
        {
            "name": "sh010",
            "description": "",
            "version": "v001",
            "review_session": review,
            "asset_version": made["version"],
        },
    )
    invitee = session.create(
        "ReviewSessionInvitee",
        {"name": "Client", "email": "client@example.com", "review_session": review},
    )
    session.commit()
    session.send_review_session_invite(invitee)

    fresh = make_session()
    objects = fresh.query(
        "select name, asset_version.version, review_session.name from ReviewSessionObject "
        f'where review_session.name is "{review["name"]}"'
    ).all()
    assert [o["id"] for o in objects] == [obj["id"]]
    assert objects[0]["asset_version"]["id"] == made["version"]["id"]
    rs = fresh.get("ReviewSession", review["id"])
    assert [i["email"] for i in rs["review_session_invitees"]] == ["client@example.com"]
    assert rs["start_date"] is not None and rs["end_date"] is not None
    assert fresh.get("ReviewSessionInvitee", invitee["id"])["last_sent_at"] is not None


def test_other_actions(session):
    user = session.query(f'User where username is "{session.api_user}"').one()
    session.send_user_invites([user])
    url = session.get_widget_url("info", entity=user, theme="dark")
    assert url.startswith(session.server_url)
    assert requests.get(url, timeout=10).status_code == 200


# -- encode_media ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_encode_media_produces_a_playable_review_mp4(embedded_server, session, tmp_path):
    made = make_hierarchy(session)
    movie = make_movie(tmp_path / "playblast.mov", seconds=2)
    job = made["version"].encode_media(str(movie))
    assert job["type"] == "api_job"
    deadline = time.monotonic() + 300
    while True:
        session.populate(job, "status")  # re-read from the server
        job = session.query(f'select status, data from Job where id is "{job["id"]}"').one()
        status = job["status"]
        if status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == "done", job["data"]
    data = json.loads(job["data"])
    outputs = {o["format"]: o["component_id"] for o in data["output"]}
    mp4 = session.get("FileComponent", outputs["video/mp4"])
    assert mp4["name"] == "ftrackreview-mp4" and mp4["version"]["id"] == made["version"]["id"]
    meta = json.loads(mp4["metadata"]["ftr_meta"])
    assert (meta["width"], meta["height"]) == (320, 240) and meta["frameRate"] == 24
    assert meta["frameOut"] == 48
    location = session.get("Location", SERVER_LOCATION_ID)
    target = tmp_path / "downloaded.mp4"
    target.write_bytes(requests.get(location.get_url(mp4), timeout=60).content)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=codec_name,pix_fmt,width,height", "-of", "json", str(target)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    stream = json.loads(probe.stdout)["streams"][0]
    assert stream == {"codec_name": "h264", "pix_fmt": "yuv420p", "width": 320, "height": 240}
    audio = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name",
         "-of", "csv=p=0", str(target)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert audio.stdout.strip() == "aac"  # the playblast's sound survives
    version = session.query(
        f'select thumbnail_id from AssetVersion where id is "{made["version"]["id"]}"'
    ).one()
    assert version["thumbnail_id"] == outputs["image/jpeg"]
    thumb = requests.get(
        location.get_thumbnail_url(session.get("FileComponent", outputs["image/jpeg"])), timeout=30
    )
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
    job_components = session.query(f'JobComponent where job_id is "{job["id"]}"').all()
    assert {jc["component_id"] for jc in job_components} == set(outputs.values())
    # encode from a path: keep_original is false, so the uploaded source is gone
    source = data["source_component_id"]
    assert session.query(f'FileComponent where id is "{source}"').all() == []
    gone = requests.get(location.get_url(mp4).replace(mp4["id"], source), timeout=30)
    assert gone.status_code == 404


def wait_job(session: Any, job_id: str, timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        job = session.query(f'select status, data from Job where id is "{job_id}"').one()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.3)


@pytest.mark.slow
def test_encode_media_of_a_still_gives_a_review_image(session, tmp_path):

    made = make_hierarchy(session)
    still = still_image(tmp_path / "frame.png", "300x200")
    job = wait_job(session, made["version"].encode_media(str(still))["id"])
    assert job["status"] == "done", job["data"]
    review_id = json.loads(job["data"])["output"][0]["component_id"]
    review = session.get("FileComponent", review_id)
    assert review["name"] == "ftrackreview-image"
    assert json.loads(review["metadata"]["ftr_meta"]) == {
        "format": "image",
        "width": 300,
        "height": 200,
    }
    url = session.get("Location", SERVER_LOCATION_ID).get_url(review)
    assert requests.get(url, timeout=30).content[:2] == b"\xff\xd8"


@pytest.mark.slow
def test_encode_media_of_an_uploaded_component_keeps_the_original(session, tmp_path):
    made = make_hierarchy(session)
    server_location = session.get("Location", SERVER_LOCATION_ID)
    movie = make_movie(tmp_path / "plate.mov")
    source = made["version"].create_component(
        str(movie), data={"name": "main"}, location=server_location
    )
    session.commit()
    job = wait_job(session, session.encode_media(source, version_id=made["version"]["id"])["id"])
    assert job["status"] == "done", job["data"]
    assert json.loads(job["data"])["keep_original"] is True
    kept = session.query(f'select name from FileComponent where id is "{source["id"]}"').one()
    assert kept["name"] == "main"
    assert requests.get(server_location.get_url(kept), timeout=30).content == movie.read_bytes()


def test_encode_media_of_a_broken_file_fails_the_job(session, tmp_path):
    made = make_hierarchy(session)
    broken = tmp_path / "broken.mov"
    broken.write_bytes(b"this is not a movie" * 100)
    job = wait_job(session, made["version"].encode_media(str(broken))["id"])
    assert job["status"] == "failed"
    data = json.loads(job["data"])
    assert data["error"].startswith("encoding failed")
    for output in data["output"]:
        assert session.query(f'FileComponent where id is "{output["component_id"]}"').all() == []


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("strict", [False, True])
def test_bad_credentials_raise_server_error(embedded_server, make_session, strict):
    mark = embedded_server.log_mark()
    with pytest.raises(ftrack_api.exception.ServerError) as caught:
        make_session(api_key="not-the-key", strict_api=strict)
    assert "InvalidCredentialsError" in caught.value.message
    assert "The supplied API key is not valid" in caught.value.message
    logged = embedded_server.api_requests_since(mark)
    assert logged[-1]["status"] == (401 if strict else 200)
    assert logged[-1]["auth_ok"] is False


def test_unsupported_action_maps_to_compatibility_error(session):
    with pytest.raises(ftrack_api.exception.ServerError) as caught:
        session.call([{"action": "no_such_action"}])
    assert "Invalid action u'no_such_action'" in caught.value.message


def test_invalid_query_is_a_server_error_not_a_crash(session):
    with pytest.raises(ftrack_api.exception.ServerError):
        session.query("select from where").all()
    with pytest.raises(ftrack_api.exception.ServerError):
        session.query('AssetVersion where nonexistent_attribute is "x"').all()
    assert session.query("Location").first() is not None


# -- events ---------------------------------------------------------------------------------------
def wait_connected(session: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not session.event_hub.connected:
        assert time.monotonic() < deadline, "the event hub did not connect"
        time.sleep(0.05)


def wait_for(session: Any, received: List[Any], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not received and time.monotonic() < deadline:
        session.event_hub.wait(0.2)


def wait_subscribed(listener: Any, publisher: Any, timeout: float = 30) -> None:
    """Wait until the server routes events to ``listener``'s subscriptions so far: one to a
    probe topic, made after them, hears a probe (a hub's subscriptions travel in order)."""
    probe = unique("ft_dcc.probe")
    heard: List[Any] = []
    listener.event_hub.subscribe(f"topic={probe}", heard.append)
    deadline = time.monotonic() + timeout
    while not heard:
        assert time.monotonic() < deadline, "the subscription did not reach the server"
        publisher.event_hub.publish(ftrack_api.event.base.Event(topic=probe, data={}))
        listener.event_hub.wait(0.2)


def test_event_published_by_one_client_reaches_another(make_session):
    listener = make_session(auto_connect_event_hub=True)
    publisher = make_session(auto_connect_event_hub=True)
    wait_connected(listener)
    wait_connected(publisher)
    received: List[Any] = []
    topic = unique("ft_dcc.test")
    listener.event_hub.subscribe(f"topic={topic}", received.append)
    wait_subscribed(listener, publisher)
    publisher.event_hub.publish(ftrack_api.event.base.Event(topic=topic, data={"shot": "sh010"}))
    wait_for(listener, received)
    assert [event["data"] for event in received] == [{"shot": "sh010"}]


def test_commit_by_one_client_emits_ftrack_update_to_another(make_session):
    listener = make_session(auto_connect_event_hub=True)
    wait_connected(listener)
    received: List[Any] = []
    listener.event_hub.subscribe("topic=ftrack.update", received.append)
    prober = make_session(auto_connect_event_hub=True)
    wait_connected(prober)
    wait_subscribed(listener, prober)
    writer = make_session()
    made = make_hierarchy(writer)
    deadline = time.monotonic() + 30
    version_id = made["version"]["id"]

    def seen() -> bool:
        ids = {e["entityId"] for event in received for e in event["data"]["entities"]}
        return version_id in ids

    while not seen() and time.monotonic() < deadline:
        listener.event_hub.wait(0.2)
    assert seen()
    change = next(
        e for event in received for e in event["data"]["entities"] if e["entityId"] == version_id
    )
    assert change["action"] == "add"
