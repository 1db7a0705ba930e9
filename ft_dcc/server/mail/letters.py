"""The mails' words: Jinja2 templates in ``templates/``, each letter a plain-text part
(``NAME.txt``), an HTML part (``NAME.html``, autoescaped) and its subject (the first line of
``NAME.subject.txt``). A new kind of mail is a new trio of templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, NamedTuple

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


class Letter(NamedTuple):
    """A rendered mail: its subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def render(name: str, values: Mapping[str, Any]) -> Letter:
    """The letter ``name`` with ``values`` (every name the templates use must be given)."""
    subject = _environment.get_template(f"{name}.subject.txt").render(values)
    return Letter(
        subject=" ".join(subject.split())[:250],
        text=_environment.get_template(f"{name}.txt").render(values),
        html=_environment.get_template(f"{name}.html").render(values),
    )
