"""Where a publish's request is settled (the artist's empty choices filled from the studio
settings: ``settings_options.settled``) and what reads the values settling fills. The lists
below are every place today, each with why; they fail when a module starts settling a request
or reading a settled value, and when one stops (then shorten the list): the goal is one place
inside the pipeline, the panels calling the same function for display only, and a journal
that keeps the artist's own request."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, Set

import ft_dcc

PACKAGE = Path(ft_dcc.__file__).resolve().parent
ROOT = PACKAGE.parent

#: the functions that settle a request (the seam's and the wrappers' around it)
SETTLING = {"settled", "settle_request", "settle", "settled_with"}

#: module -> the settling functions it calls, and why
SETTLERS: Dict[str, Set[str]] = {
    # the seam itself: read the settings, then settle
    "ft_dcc/publish/request/settings_options.py": {"settled"},
    # ft-dcc publish: the request its --set and flags give, before the files host or a
    # headless host (which receives it settled, in its one JSON form), the artist's own (the
    # flags and --set alone) handed beside it as ``PublishRuntime.asked`` for the journal
    "ft_dcc/publish/commands.py": {"settle_request"},
    "ft_dcc/host/commands.py": {"settle"},
    # a host UI's publish: settled where the pipeline starts (``PublishRuntime.
    # studio_settings``), on the publish's session; the artist's request kept beside it
    "ft_dcc/publish/api.py": {"settle"},
    "ft_dcc/publish/request/settled_publish.py": {"settle_request"},
    # the panels show the settled values, by the same functions (display only)
    "ft_dcc/host/publish_settings.py": {"settled"},
    "ft_dcc/host/publish_preview.py": {"settle"},
    # the farm: the plan checks each scene's settled request, the node's step publishes it
    # with what the TD asked beside it (``PublishRuntime.asked``, for the journal)
    "ft_dcc/farm/plan.py": {"settle_request"},
    "ft_dcc/farm/publish_step.py": {"settle_request"},
    # the offline queue: the flush settles the artist's request with the settings now (the
    # journal keeps the request the pipeline was handed as the artist's own: no settling)
    "ft_dcc/publish/offline/flush_decision.py": {"settled", "settled_with"},
}

#: the request's fields settling fills (its ``settings``: ``test_settings_one_channel``)
FILLED = {"review_session_name", "burnin", "burnin_template", "task_names"}

#: module -> the filled fields it reads of a request, and why
READERS: Dict[str, Set[str]] = {
    "ft_dcc/publish/request/settings_options.py": {
        "review_session_name", "burnin", "burnin_template"
    },  # the artist's own win
    "ft_dcc/publish/shared/naming.py": {"task_names"},  # the asset's template fields
    "ft_dcc/publish/plugins/validate_burnin.py": {"burnin", "burnin_template"},
    "ft_dcc/publish/plugins/collect_review_target.py": {"review_session_name"},
    "ft_dcc/host/publish_preview.py": {"review_session_name"},  # a panel's display
    "ft_dcc/farm/plan.py": {"review_session_name"},  # the batch's one session
}  # fmt: skip


def _modules() -> Iterator[Path]:
    for path in sorted([*PACKAGE.rglob("*.py"), *(ROOT / "hosts").rglob("*.py")]):
        if "server" not in path.relative_to(PACKAGE.parent).parts:
            yield path


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _on_request(node: ast.AST) -> bool:
    """``request.x``, ``<anything>.request.x``."""
    return (isinstance(node, ast.Name) and node.id == "request") or (
        isinstance(node, ast.Attribute) and node.attr == "request"
    )


def _reads_filled(node: ast.AST) -> bool:
    """``request.<a filled field>``."""
    return isinstance(node, ast.Attribute) and node.attr in FILLED and _on_request(node.value)


def _found() -> Dict[str, Dict[str, Set[str]]]:
    """{"settles": module -> names called, "reads": module -> filled fields read}."""
    settles: Dict[str, Set[str]] = {}
    reads: Dict[str, Set[str]] = {}
    for path in _modules():
        name = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) in SETTLING:
                settles.setdefault(name, set()).add(_called(node))
            elif _reads_filled(node):
                assert isinstance(node, ast.Attribute)
                reads.setdefault(name, set()).add(node.attr)
    return {"settles": settles, "reads": reads}


def test_every_place_that_settles_a_request_is_known() -> None:
    assert _found()["settles"] == SETTLERS


def test_every_reader_of_a_settled_value_is_known() -> None:
    assert _found()["reads"] == READERS
