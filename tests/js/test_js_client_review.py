"""ftrack's JavaScript client sets and reads a ReviewSession's client-review fields unchanged:
passphrase (read back as the mask, never in clear nor hashed), the window's dates, and the
session's ``review`` settings (EntitySetting rows)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from js_helpers import make_hierarchy
from server.client_review.gate_world import stored_session_row

pytestmark = pytest.mark.jsclient

SECRET = "js client secret 7"
MASK = "********"


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_client_review_fields_round_trip(js, embedded_server) -> None:
    made = make_hierarchy(js)
    review = str(uuid.uuid4())
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    opens, closes, later = (now + dt.timedelta(days=days) for days in (-1, 7, 9))
    js.call("create", "ReviewSession", {
        "id": review, "name": "js client daily", "description": "", "project_id": made["project"],
        "passphrase_enabled": True, "passphrase": SECRET,
        "start_date": _iso(opens), "end_date": _iso(closes)})  # fmt: skip
    fields = "passphrase, passphrase_enabled, start_date, end_date, is_open"
    expression = f"select {fields} from ReviewSession where id is '{review}'"
    row = js.call("query", expression)["data"][0]
    assert row["passphrase"] == MASK and row["passphrase_enabled"] is True
    assert SECRET not in repr(row) and "scrypt" not in repr(row) and "$" not in repr(row)
    assert (_instant(row["start_date"]), _instant(row["end_date"])) == (opens, closes)
    assert row["is_open"] is True

    stored = stored_session_row(embedded_server, review)["passphrase"]
    assert stored and SECRET not in stored
    js.call("update", "ReviewSession", [review], {"end_date": _iso(later)})
    row = js.call("query", expression)["data"][0]
    assert _instant(row["end_date"]) == later and row["passphrase"] == MASK
    # what a read-modify-update client sends back (the mask) keeps the stored hash
    js.call("update", "ReviewSession", [review], {"passphrase": row["passphrase"]})
    assert stored_session_row(embedded_server, review)["passphrase"] == stored

    js.call("create", "EntitySetting", {"parent_id": review, "parent_type": "ReviewSession",
            "group": "review", "name": "download_policy", "value": "proxy"})  # fmt: skip
    settings = f"select group, name, value from EntitySetting where parent_id is '{review}'"
    rows = js.call("query", settings)["data"]
    assert [(s["group"], s["name"], s["value"]) for s in rows] == [
        ("review", "download_policy", "proxy")
    ]
    js.call("update", "EntitySetting", [review, "review", "download_policy"], {"value": "original"})
    assert [s["value"] for s in js.call("query", settings)["data"]] == ["original"]
