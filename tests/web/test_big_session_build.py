"""A review session of many versions, built fast for the big-session tests and
``bench/bench_big_session.py``: every row in one API batch (what a genuine client's commit sends)
and one small shared movie and thumbnail, each version's copy put in the server's file store
(``FileStore.store_local_file``), never one publish per version. No tests here."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import attr
import requests

from ft_dcc.server.files.filestore import FileStore, load_or_create_secret
from ft_dcc.server.runtime.config import ServerConfig

from .review_fixtures import FPS, FRAME_COUNT, FRAME_IN, SIZE, make_numbered_movie, make_thumbnail

#: versions of one asset in a built session (a shot's latest and the two before)
PER_ASSET = 3


@attr.s(auto_attribs=True)
class Built:
    review_session_id: str
    object_ids: List[str]
    project_id: str
    asset_type_id: str
    user_id: str


def _create(entity_type: str, **data: Any) -> Dict[str, Any]:
    if entity_type == "Metadata":  # keyed by its parent and key
        key = [data["parent_id"], data["key"]]
    else:
        key = [data.setdefault("id", str(uuid.uuid4()))]
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": key,
        "entity_data": dict(data, __entity_type__=entity_type),
    }


class Api:
    """The server's ``/api`` as its API user."""

    def __init__(self, url: str, user: str, key: str) -> None:
        self.url = url
        self.headers = {"ftrack-user": user, "ftrack-api-key": key}

    def __call__(self, operations: List[Dict[str, Any]]) -> List[Any]:
        response = requests.post(
            self.url + "/api", json=operations, headers=self.headers, timeout=600
        )
        body = response.json()
        assert response.status_code == 200 and isinstance(body, list), response.text[:2000]
        return body

    def one(self, expression: str) -> Dict[str, Any]:
        return dict(self([{"action": "query", "expression": expression}])[0]["data"][0])


class Media:
    """One small movie and its thumbnail, stored once per component."""

    def __init__(self, folder: Path, data_dir: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.movie = make_numbered_movie(folder / "shared.mp4")
        self.thumbnail = make_thumbnail(self.movie, folder / "shared.jpg")
        config = ServerConfig(data_dir=data_dir)
        self.store = FileStore(config.files_dir, load_or_create_secret(config.secret_file))

    def put(self, movie_id: str, thumbnail_id: str) -> None:
        self.store.store_local_file(self.movie, movie_id, "review.mp4")
        self.store.store_local_file(self.thumbnail, thumbnail_id, "thumbnail.jpg")

    def size(self, which: str) -> int:
        return (self.movie if which == "movie" else self.thumbnail).stat().st_size


def version_rows(
    media: Media, asset_id: str, user_id: str, number: int, review_session_id: str,
    sort_order: int, notes: int, name: str,
) -> List[Dict[str, Any]]:  # fmt: skip
    """One version of ``asset_id``: its movie, thumbnail, place in the session and notes."""
    version_id, movie_id, thumb_id = (str(uuid.uuid4()) for _ in range(3))
    meta = {"frameIn": FRAME_IN, "frameOut": FRAME_IN + FRAME_COUNT, "frameRate": float(FPS),
            "width": SIZE[0], "height": SIZE[1]}  # fmt: skip
    capture = {"source_first_frame": FRAME_IN, "thumbnail_frame": FRAME_IN}
    object_row = _create(
        "ReviewSessionObject", review_session_id=review_session_id, version_id=version_id,
        name=name, version=f"v{number:03d}", sort_order=sort_order,
    )  # fmt: skip
    media.put(movie_id, thumb_id)
    rows = [
        _create("AssetVersion", id=version_id, asset_id=asset_id, version=number,
                comment=f"{name} pass {number}", user_id=user_id),
        _create("FileComponent", id=movie_id, name="ftrackreview-mp4", version_id=version_id,
                file_type=".mp4", size=media.size("movie")),
        _create("FileComponent", id=thumb_id, name="thumbnail", version_id=version_id,
                file_type=".jpg", size=media.size("thumbnail")),
        _create("Metadata", parent_id=movie_id, parent_type="FileComponent", key="ftr_meta",
                value=json.dumps(meta)),
        _create("Metadata", parent_id=movie_id, parent_type="FileComponent",
                key="ft_dcc_capture", value=json.dumps(capture)),
        {"action": "update", "entity_type": "AssetVersion", "entity_key": [version_id],
         "entity_data": {"thumbnail_id": thumb_id}},
        object_row,
    ]
    object_id = object_row["entity_key"][0]
    rows += [
        _create("Note", content=f"note {n + 1} on {name} v{number:03d}", parent_id=object_id,
                parent_type="ReviewSessionObject", user_id=user_id)
        for n in range(notes)
    ]
    return rows


def build_session(
    api: Api, media: Media, versions: int, notes: int = 3, name: Optional[str] = None
) -> Built:
    """A project and an open review session of ``versions`` versions (PER_ASSET per asset),
    each with ``notes`` notes, written in one batch."""
    schema = api.one("select id from ProjectSchema")
    asset_type = api.one('select id from AssetType where short is "upload"')
    user = api.one(f'select id from User where username is "{api.headers["ftrack-user"]}"')
    code = name or f"big{uuid.uuid4().hex[:8]}"
    project = _create("Project", name=code, full_name=code, project_schema_id=schema["id"])
    project_id = project["entity_key"][0]
    review = _create("ReviewSession", name=f"Dailies {versions}", project_id=project_id,
                     description=f"{versions} versions",
                     end_date={"__type__": "datetime", "value": "2099-01-01T00:00:00"})  # fmt: skip
    review_session_id = review["entity_key"][0]
    rows = [project, review]
    for first in range(0, versions, PER_ASSET):
        shot = f"sh{first // PER_ASSET + 1:04d}"
        asset = _create("Asset", name=f"{shot}_anim", context_id=project_id,
                        type_id=asset_type["id"])  # fmt: skip
        rows.append(asset)
        for number in range(1, min(PER_ASSET, versions - first) + 1):
            rows += version_rows(media, asset["entity_key"][0], user["id"], number,
                                 review_session_id, first + number, notes, shot)  # fmt: skip
    api(rows)
    objects = [
        r["entity_key"][0] for r in rows if r["entity_type"] == "ReviewSessionObject"
    ]
    return Built(review_session_id, objects, project_id, asset_type["id"], user["id"])


def add_versions(
    api: Api, media: Media, built: Built, count: int, notes: int = 0
) -> List[str]:
    """``count`` new versions (one asset each) added to the built session in one batch: the
    object ids."""
    rows: List[Dict[str, Any]] = []
    for index in range(count):
        shot = f"new{uuid.uuid4().hex[:6]}"
        asset = _create("Asset", name=f"{shot}_anim", context_id=built.project_id,
                        type_id=built.asset_type_id)  # fmt: skip
        rows.append(asset)
        rows += version_rows(media, asset["entity_key"][0], built.user_id, 1,
                             built.review_session_id, 100_000 + index, notes, shot)  # fmt: skip
    api(rows)
    return [r["entity_key"][0] for r in rows if r["entity_type"] == "ReviewSessionObject"]


def widget_url(api: Api, review_session_id: str, personal: bool) -> str:
    """The owner's own link (``personal``) or the session's room link."""
    operation: Dict[str, Any] = {
        "action": "get_widget_url", "name": "review_session", "entity_type": "ReviewSession",
        "entity_key": [review_session_id],
    }  # fmt: skip
    if personal:
        operation["purpose"] = "personal"
    answer = api([operation])[0]
    return str(answer["widget_url"] if isinstance(answer, dict) else answer)
