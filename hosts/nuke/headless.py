"""Publish a Nuke script without a UI. Nuke runs it in terminal mode::

    nuke -t headless.py request.json

``request.json`` (``ft_dcc.host.headless.HeadlessRequest``) holds ``input`` (the script),
``publish`` (the typed request, in its one JSON form: its reviewables' sources name the Write
nodes to publish; a comp has no camera), ``python_path`` (folders to add so ft_dcc imports) and
``result`` (where to write ``{"exit_code", "report", "text"}`` for the caller).
Without a named Write node, every Write node whose "publish for review" box is ticked is
published (one version each, in one commit), else the script's only Write node, else (no Write
node) the first Viewer's input; several unticked candidates are a clear error. Only stdlib
imports at the top:
``ft_dcc.host.pythonpath.add_request_python_path`` makes ft_dcc importable (the one rule of every
host), then ``ft_dcc.host.headless.main`` runs the publish and writes the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

if TYPE_CHECKING:
    import nuke

    from ft_dcc.host.headless import HeadlessRequest, Outcome


def parse_frames(value: object) -> Optional[Tuple[int, int]]:
    """A request's ``frames`` as ``(start, end)`` or None (``ft_dcc.host.headless``)."""
    from ft_dcc.host.headless import parse_frames

    return parse_frames(value)


def pick_write_node(name: Optional[str]) -> Union[str, nuke.Node, None]:
    """The Write node to publish (see the module docstring), or None for the viewer's input."""
    picked = pick_write_nodes(name)
    return picked[0] if picked else None


def pick_write_nodes(name: Optional[str]) -> List[Union[str, nuke.Node]]:
    """The Write nodes to publish: ``name``, else :func:`script_write_nodes`."""
    return [name] if name else list(script_write_nodes())


def script_write_nodes() -> List[nuke.Node]:
    """Every ticked Write node (several: one version each), else the only one; none for the
    viewer's input. Several unticked: an error."""
    import nuke
    from ft_dcc_hosts.nuke.callbacks import ticked_writes

    writes = nuke.allNodes("Write")
    ticked = ticked_writes()
    if ticked or len(writes) <= 1:
        return ticked or writes
    from ft_dcc.exceptions import CaptureError

    names = ", ".join(w.name() for w in writes)
    raise CaptureError(
        f"The script has several Write nodes to choose from ({names}).",
        hint="tick 'publish for review' on the ones to publish (ftrack review tab), save, "
        "and publish again",
    )


def _name(write: Union[str, nuke.Node]) -> str:
    return write if isinstance(write, str) else write.name()


def publish_request(request: HeadlessRequest) -> Outcome:
    """Open the script, publish it and describe the outcome (inside Nuke)."""
    import nuke
    from ft_dcc_hosts.nuke.host import NukeHost

    from ft_dcc.host.headless import outcome_of, publish_request_of, runtime_of
    from ft_dcc.publish.api import run_publish
    from ft_dcc.publish.request.request import Reviewable

    nuke.scriptOpen(str(Path(str(request["input"])).resolve()))
    typed = publish_request_of(request)
    named = [r.source for r in typed.reviewables if r.source]  # Write nodes the request names
    writes: List[Union[str, nuke.Node]] = list(named) or list(script_write_nodes())
    if len(writes) > 1:
        typed.reviewables = [Reviewable(source=_name(w)) for w in writes]
    else:
        typed.reviewables = [Reviewable(asset_name=typed.reviewables[0].asset_name)]
    host = NukeHost(write_node=writes[0] if writes else None)
    report = run_publish(host, typed, runtime_of(request))
    return outcome_of(report)


if __name__ == "__main__":
    # ft_dcc is beside this adapter (a source checkout's hosts/ or an install's ft_dcc_hosts/)
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    from ft_dcc.host.pythonpath import add_request_python_path

    add_request_python_path(sys.argv)
    from ft_dcc.host.headless import run

    run(sys.argv, publish_request)
