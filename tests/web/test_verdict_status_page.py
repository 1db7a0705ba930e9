"""Two verdicts on the review page, in real Chromium against the real embedded server: the
studio's own page (a personal link) approves and shows the version's new ftrack status (the
server moves it in the verdict's batch: ``verdict_status.py``); the client's page (an invitee's
link) asks for changes, shows no ftrack status and moves none; the studio's page shows the
client's verdict beside its own, live, each marked Studio or Client, and the status stays.
Screenshots: ``test-artifacts/verdict-status-page.png`` (the studio's),
``test-artifacts/verdict-client-page.png`` (the client's). Seen failing first: the client's
"Request changes" turned the version to Requires Changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from support import open_session
from support.browser import WAIT_MS, WEB_VIEWPORT

from .feedback_fixtures import make_dailies, personal_url

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOADED = (
    "() => { const m = document.querySelector('main.items');"
    " return m.dataset.live === 'open' && +m.dataset.feedbackLoaded >= 1; }"
)


@pytest.fixture
def two_reviewers(embedded_server: Any, chromium: Any, tmp_path: Path) -> Iterator[Any]:
    """The studio's page and the client Ann's."""
    with open_session(embedded_server, tmp_path) as session:
        dailies = make_dailies(session)
        urls = (personal_url(session, dailies.review_session),
                session.get_widget_url("review_session", entity=dailies.ann))  # fmt: skip
        pages = []
        for url in urls:
            context = chromium.new_context(viewport=WEB_VIEWPORT)
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            assert page.goto(url).status == 200
            page.wait_for_function(LOADED)
            pages.append(page)
        yield dailies, pages
        for page in pages:
            page.context.close()


def shown_status(page: Any, object_id: str) -> Any:
    return page.locator(f"#item-{object_id} .version-status")


def test_the_studios_verdict_moves_the_status_and_the_clients_is_shown_beside_it(
    two_reviewers: Any,
) -> None:
    dailies, (studio, ann) = two_reviewers
    first = studio.locator("article.item:not([hidden])").first.get_attribute("data-object-id")
    other = next(o["id"] for o in dailies.objects if o["id"] != first)
    status = shown_status(studio, first)
    status.wait_for(state="visible")
    assert status.inner_text() == "ftrack status: Pending Review"
    assert shown_status(ann, first).is_hidden()  # the client never sees the internal status

    studio.locator(f"#item-{first} .verdict.approve").click()
    studio.wait_for_function(
        "(id) => document.querySelector('#item-' + id + ' .version-status')"
        ".textContent.endsWith('Approved')",
        arg=first,
    )
    assert status.get_attribute("data-status") == "Approved"

    ann.locator(f"#item-{first} .verdict.request-changes").click()
    ann.wait_for_function(
        "(id) => document.querySelector('#item-' + id + ' .verdict.request-changes.chosen')",
        arg=first,
    )
    studio.wait_for_function(  # the studio's page follows live: the client's verdict beside
        "(id) => document.querySelectorAll('#item-' + id + ' .status-entry').length === 2",
        arg=first,
    )
    entries = studio.locator(f"#item-{first} .status-entry")
    texts = sorted(entries.nth(n).inner_text() for n in range(2))
    assert any("Ann Lee" in t and "Client" in t and "Changes requested" in t for t in texts), texts
    assert any("Studio" in t and "Approved" in t for t in texts), texts
    assert status.inner_text() == "ftrack status: Approved"  # the client's moved nothing
    ann_entries = ann.locator(f"#item-{first} .status-entry")
    assert ann_entries.count() == 1 and "Ann Lee" in ann_entries.inner_text()
    assert shown_status(ann, first).is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    studio.locator(f"#item-{first} section.review").screenshot(
        path=str(ARTIFACTS / "verdict-status-page.png")
    )
    ann.locator(f"#item-{first} section.review").screenshot(
        path=str(ARTIFACTS / "verdict-client-page.png")
    )
    assert shown_status(studio, other).text_content() == "ftrack status: Pending Review"
