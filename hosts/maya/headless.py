"""Publish a Maya scene without a UI. Run with Maya's own Python::

    mayapy headless.py request.json

``request.json`` holds the ``ft-dcc publish`` arguments (input, task, review_session, comment,
frames, fps, camera, invitees, asset_name, include_source), ``python_path`` (folders to add so
ft_dcc imports) and ``result`` (where to write ``{"exit_code", "report", "text"}`` for the
calling process, which prints it). Only stdlib imports at the top: ft_dcc is not importable
until :func:`add_python_path` has put ``python_path`` first on ``sys.path``; then
``ft_dcc.host.headless.main`` runs the publish and writes the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict


def add_python_path(argv: Any) -> None:
    """Put the request's ``python_path`` first on ``sys.path`` (ft_dcc imports after this)."""
    request = json.loads(Path(argv[-1]).read_text(encoding="utf-8"))
    for folder in reversed(request.get("python_path", [])):
        if folder not in sys.path:
            sys.path.insert(0, folder)


def publish_request(request: Dict[str, Any]) -> Dict[str, Any]:
    """Start Maya standalone, open the scene, publish it, describe the outcome."""
    import maya.standalone

    maya.standalone.initialize(name="python")
    try:
        from ft_dcc_hosts.maya.host import MayaHost
        from maya import cmds

        from ft_dcc.host.headless import outcome_of, progress_to_caller, publish_options
        from ft_dcc.publish import publish

        cmds.file(str(Path(request["input"]).resolve()), open=True, force=True)
        options = publish_options(request, ("camera", "invitees", "asset_name", "include_source"))
        report = publish(
            MayaHost(),
            progress=progress_to_caller,
            **options,
        )
        if request.get("report"):
            report.save(Path(request["report"]))
        return outcome_of(report)
    finally:
        maya.standalone.uninitialize()


if __name__ == "__main__":
    add_python_path(sys.argv)
    from ft_dcc.host.headless import run

    run(sys.argv, publish_request)
