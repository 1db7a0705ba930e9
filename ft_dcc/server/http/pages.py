"""HTML pages from Jinja2 templates (through Starlette's templating), escaped by default.

Each room keeps its pages' templates beside it (``signin/web``, ``api/templates``,
``http/templates``) and renders them with :func:`page`: every value a template is given is
escaped unless the template says otherwise, and a value it names but is not given is an error
(``StrictUndefined``), not an empty string. No HTML is built from strings in ``ft_dcc/server``
(a test walks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

import jinja2
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates


def environment_in(directory: Path, **options: Any) -> jinja2.Environment:
    """A Jinja2 environment of the templates of ``directory``: every one autoescaped, a value
    named but not given an error; ``options``: more of Jinja2's."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        **options,
    )


def templates_in(directory: Path) -> Jinja2Templates:
    """The templates of ``directory``, every one autoescaped."""
    return Jinja2Templates(env=environment_in(directory, trim_blocks=True, lstrip_blocks=True))


def render(templates: Jinja2Templates, name: str, **context: Any) -> str:
    """The text of template ``name`` with ``context``."""
    return templates.get_template(name).render(**context)


def page(
    templates: Jinja2Templates,
    name: str,
    status: int = 200,
    headers: Optional[Mapping[str, str]] = None,
    **context: Any,
) -> HTMLResponse:
    """Template ``name`` rendered with ``context`` as an HTML response."""
    return HTMLResponse(render(templates, name, **context), status_code=status, headers=headers)
