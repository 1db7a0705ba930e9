"""The review page's HTML comes from its Jinja2 templates (``review/templates``), which escape
everything from the Store: a session whose every text is hostile renders as text, in the page,
its items' data and the refusals; the pieces under ``parts/`` render as one line; a value a
template names but is not given is an error, not an empty string. (What the page's scripts read
of it is held by the browser tests: tests/web/test_review_page.py and its siblings.)"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import jinja2
import pytest

from ft_dcc.server.review.reads.data import ItemView, NoteView, SessionView
from ft_dcc.server.review.render import html as review_html
from ft_dcc.server.review.render.jinja import ENVIRONMENT, render

HOSTILE = '<script>alert(1)</script>" onmouseover="x\' &amp;'
WHEN = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)


def _item(n: int, **kinds: object) -> ItemView:
    return ItemView(
        id=f"item{n}", name=HOSTILE, description=HOSTILE + " description", version_id=None,
        version_number=n, asset_name=HOSTILE, comment=HOSTILE, date=WHEN, thumbnail_id="thumb",
        author=HOSTILE, movie_meta={"frameIn": 0, "frameOut": 24, "frameRate": 24.0,
                                    "sourceTimecode": HOSTILE, "posterFrame": 3},
        notes=[NoteView(id=f"note{n}", content=HOSTILE, author=HOSTILE, date=WHEN, frame=3)],
        downloads=[("movie", HOSTILE)], asset_id="asset", shot=HOSTILE, **kinds,  # type: ignore[arg-type]
    )  # fmt: skip


def _session(is_open: bool) -> SessionView:
    items = [_item(1, movie_id="mov1"), _item(2, image_id="img2"), _item(3)]
    return SessionView(id="session", name=HOSTILE, description=HOSTILE, project_name=HOSTILE,
                       is_open=is_open, end_date=WHEN, items=items)  # fmt: skip


def _only_text(page: str) -> None:
    """Every hostile text of ``page`` is text: no tag, attribute or entity of it got through."""
    assert "<script>alert" not in page and 'onmouseover="x' not in page
    assert page.count("<script ") == page.count('<script src="/review/static/')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text


@pytest.mark.parametrize("is_open", [True, False])
def test_every_text_from_the_store_is_escaped(is_open: bool) -> None:
    session = _session(is_open)
    presenter = {"presenter": {"lead": HOSTILE}, "received": 1.0, "now": 2.0}
    page = review_html.render_session(session, 'to"k<en', presenter, cut=True).body.decode()
    _only_text(page)
    # what the scripts read back (data-*, the presenter's JSON) is the value itself
    first = re.search(r'data-presenter-first="([^"]*)"', page)
    assert first and json.loads(html.unescape(first.group(1))) == presenter
    assert 'data-items-url="/review/session/items?token=to%22k%3Cen"' in page
    items = review_html.items_page(session, "tok", 0)
    assert isinstance(items["html"], str) and "<article " in str(items["html"])
    _only_text(str(items["html"]))
    assert str(items["html"]).count('class="note-content"') == 3
    for refusal in (review_html.denied(HOSTILE), review_html.not_open(HOSTILE),
                    review_html.render_list([session], HOSTILE)):  # fmt: skip
        _only_text(refusal.body.decode())
        assert refusal.headers["Content-Security-Policy"].startswith("default-src 'none'")
    prompt = review_html.passphrase_prompt(HOSTILE, HOSTILE, wrong=True).body.decode()
    assert "<script>" not in prompt and 'action="/review/%3Cscript%3E' in prompt


def test_parts_render_as_one_line_and_a_missing_value_is_an_error() -> None:
    page = review_html.items_page(_session(True), "tok", 0)["html"]
    assert "\n" not in str(page)
    assert "\n" not in str(render("parts/refusal.html", main_class="m", heading="h",
                                  kind="not_found"))  # fmt: skip
    with pytest.raises(jinja2.UndefinedError):
        render("parts/refusal.html", main_class="m", kind="denied", message="x")
    assert ENVIRONMENT.autoescape is True
