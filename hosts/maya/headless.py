"""Publish a Maya scene without a UI. Run with Maya's own Python::

    mayapy headless.py request.json

``request.json`` (``ft_dcc.host.headless.HeadlessRequest``) holds ``input`` (the scene),
``publish`` (the typed request, in its one JSON form), ``python_path`` (folders to add so
ft_dcc imports) and ``result`` (where to write ``{"exit_code", "report", "text"}`` for the
calling process, which prints it). Only stdlib imports at the top: ft_dcc is not importable
until ``ft_dcc.host.pythonpath.add_request_python_path`` has put ``python_path`` on ``sys.path``
(after mayapy's own folders, the one rule of every host); then ``ft_dcc.host.headless.main``
runs the publish and writes the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ft_dcc.host.headless import HeadlessRequest, Outcome


def publish_request(request: HeadlessRequest) -> Outcome:
    """Start Maya standalone, open the scene, publish it, describe the outcome."""
    import maya.standalone

    maya.standalone.initialize(name="python")
    try:
        from ft_dcc_hosts.maya.host import MayaHost
        from maya import cmds

        from ft_dcc.host.headless import outcome_of, publish_request_of, runtime_of
        from ft_dcc.publish.api import run_publish

        cmds.file(str(Path(str(request["input"])).resolve()), open=True, force=True)
        report = run_publish(MayaHost(), publish_request_of(request), runtime_of(request))
        return outcome_of(report)  # the caller writes --report FILE (publish_in_host)
    finally:
        maya.standalone.uninitialize()


if __name__ == "__main__":
    # ft_dcc is beside this adapter (a source checkout's hosts/ or an install's ft_dcc_hosts/)
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    from ft_dcc.host.pythonpath import add_request_python_path

    add_request_python_path(sys.argv)
    from ft_dcc.host.headless import run

    run(sys.argv, publish_request)
