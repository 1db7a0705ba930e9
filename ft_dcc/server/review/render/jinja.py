"""The review room's pages from Jinja2 templates (``templates/``), escaped by default.

``page.html`` (the shared head) and ``session.html`` (the session page's frame) keep their
lines as written. The pieces under ``templates/parts/`` (an asset group, one version's player
and notes, the refusals, the list of sessions) are written one element per line for reading,
and rendered as one line: a newline and the indentation after it are dropped, so what stands on
one line is what the page gets (a space between two elements is written between them, on one
line). Every value a template is given is escaped; ``None`` shows as nothing; a value a template
names but is not given is an error (``StrictUndefined``). The templates are compiled once, on
first use, and never read again (``auto_reload`` off): a page's render is on the hot path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import jinja2
import jinja2.ext
from markupsafe import Markup

from ft_dcc.server.http.pages import environment_in

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: the templates rendered as one line (see the module docstring)
PARTS = "parts/"
_LINE_BREAK = re.compile(r"\n[ \t]*")


class _OneLine(jinja2.ext.Extension):
    """Drops each newline and the indentation after it from the templates under PARTS."""

    def preprocess(self, source: str, name: Optional[str], filename: Optional[str] = None) -> str:
        return _LINE_BREAK.sub("", source) if name and name.startswith(PARTS) else source


def _nothing_for_none(value: Any) -> Any:
    return "" if value is None else value


ENVIRONMENT = environment_in(
    TEMPLATES_DIR,
    finalize=_nothing_for_none,
    keep_trailing_newline=True,
    auto_reload=False,
    extensions=[_OneLine],
)


def render(template: str, /, **context: Any) -> Markup:
    """``template`` with ``context`` (escaped): HTML another template may hold as is."""
    return Markup(ENVIRONMENT.get_template(template).render(**context))
