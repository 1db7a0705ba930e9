"""Versions of different shots that share an asset name ("anim" of sh010 and of sh020, as every
shot's animation is called) are two players on the review page, each labelled with its shot;
the page listed them as one asset with versions v001, v001, v002, v002 and no shot. In real
Chromium; screenshot ``test-artifacts/review_shot_labels.png``."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from support import genuine_sessions

pytestmark = [pytest.mark.browser]


@pytest.fixture
def two_shots(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """sh010/anim and sh020/anim, v001 and v002 of each, all four in one review session
    (interleaved: sh010 v001, sh020 v001, sh010 v002, sh020 v002)."""
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        session = make()
        name = f"sl{uuid.uuid4().hex[:8]}"
        schema = session.query("ProjectSchema").first()
        project = session.create(
            "Project", {"name": name, "full_name": name, "project_schema": schema}
        )
        asset_type = session.query('AssetType where short is "upload"').one()
        versions: List[Any] = []
        for shot_name in ("sh010", "sh020"):
            shot = session.create("Shot", {"name": shot_name, "parent": project})
            asset = session.create("Asset", {"name": "anim", "parent": shot, "type": asset_type})
            versions += [session.create("AssetVersion", {"asset": asset, "version": n})
                         for n in (1, 2)]  # fmt: skip
        review_session = session.create(
            "ReviewSession",
            {"name": "Dailies", "project": project,
             "end_date": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)},
        )  # fmt: skip
        for order, version in enumerate((versions[0], versions[2], versions[1], versions[3])):
            session.create(
                "ReviewSessionObject",
                {"review_session": review_session, "asset_version": version, "name": "anim",
                 "version": f"v{version['version']:03d}", "sort_order": order},
            )  # fmt: skip
        session.commit()
        yield {"url": session.get_widget_url("review_session", entity=review_session)}


def test_same_named_assets_of_two_shots_are_listed_with_their_shot(
    two_shots: Dict[str, Any], page: Any, artifacts_dir: Path
) -> None:
    assert page.goto(two_shots["url"]).status == 200
    groups = page.locator("section.asset-group")
    assert groups.count() == 2
    seen = []
    for index in range(2):
        group = groups.nth(index)
        shot = group.locator(".asset-shot").inner_text()
        title = group.locator(".asset-title").inner_text()
        tabs = [t.strip().split()[0] for t in group.locator(".version-tab").all_inner_texts()]
        seen.append((shot, title, tabs))
    assert seen == [("sh010", "anim", ["v002", "v001"]), ("sh020", "anim", ["v002", "v001"])]
    # each version's own panel says its shot too
    shots = page.locator("article.item .shot").all_text_contents()
    assert sorted(shots) == ["sh010", "sh010", "sh020", "sh020"]
    assert "2 assets" in page.inner_text("body")
    page.screenshot(path=str(artifacts_dir / "review_shot_labels.png"), full_page=True)
