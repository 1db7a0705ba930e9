"""After Approve / Request changes the review page shows the version's new ftrack status (the
server moves it in the verdict's batch: ``verdict_status.py``), in real Chromium against the real
embedded server; another reviewer's page shows it live. Screenshot:
``test-artifacts/verdict-status-page.png``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from support import open_session

from .feedback_fixtures import make_dailies

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def two_reviewers(embedded_server: Any, chromium: Any, tmp_path: Path) -> Iterator[Any]:
    with open_session(embedded_server, tmp_path) as session:
        dailies = make_dailies(session)
        pages = []
        for who in (dailies.ann, dailies.bob):
            context = chromium.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(30_000)
            assert page.goto(session.get_widget_url("review_session", entity=who)).status == 200
            page.wait_for_function(
                "() => { const m = document.querySelector('main.items');"
                " return m.dataset.live === 'open' && +m.dataset.feedbackLoaded >= 1; }"
            )
            pages.append(page)
        yield dailies, pages
        for page in pages:
            page.context.close()


def shown_status(page: Any, object_id: str) -> Any:
    return page.locator(f"#item-{object_id} .version-status")


def test_a_verdict_shows_the_versions_new_status_on_every_page(two_reviewers: Any) -> None:
    dailies, (ann, bob) = two_reviewers
    first = ann.locator("article.item:not([hidden])").first.get_attribute("data-object-id")
    other = next(o["id"] for o in dailies.objects if o["id"] != first)
    status = shown_status(ann, first)
    status.wait_for(state="visible")
    assert status.inner_text() == "ftrack status: Pending Review"

    ann.locator(f"#item-{first} .verdict.approve").click()
    ann.wait_for_function(
        "(id) => document.querySelector('#item-' + id + ' .version-status')"
        ".textContent.endsWith('Approved')",
        arg=first,
    )
    assert status.inner_text() == "ftrack status: Approved"
    assert status.get_attribute("data-status") == "Approved"
    bob.wait_for_function(  # Bob's page follows live
        "(id) => document.querySelector('#item-' + id + ' .version-status')"
        ".textContent.endsWith('Approved')",
        arg=first,
    )

    bob.locator(f"#item-{first} .verdict.request-changes").click()
    for page in (ann, bob):
        page.wait_for_function(
            "(id) => document.querySelector('#item-' + id + ' .version-status')"
            ".textContent.endsWith('Requires Changes')",
            arg=first,
        )
    ARTIFACTS.mkdir(exist_ok=True)
    ann.locator(f"#item-{first} section.review").screenshot(
        path=str(ARTIFACTS / "verdict-status-page.png")
    )
    assert shown_status(ann, other).text_content() == "ftrack status: Pending Review"
