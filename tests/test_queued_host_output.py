"""A headless publish that was only queued (exit status 75): each host's integration shows the
artist why and when the queued work goes out, and never the host's own noise (EGL errors, saved
frames), which reads as a failure; a failed publish still shows the host's last lines."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict

import pytest

from ft_dcc.host import host_log
from ft_dcc.host.headless import HeadlessPublish
from ft_dcc.host.pythonpath import ensure_hosts_package
from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.publish.request.request import PublishRequest

ensure_hosts_package()
from ft_dcc_hosts.blender.integration import integration as blender  # noqa: E402
from ft_dcc_hosts.maya.integration import integration as maya  # noqa: E402
from ft_dcc_hosts.nuke.integration import integration as nuke  # noqa: E402

#: what Debian's Blender 3.4 printed around an offline publish here (ft-dcc publish --host blender)
HOST_LOG = "\n".join(
    [
        "Blender 3.4.1",
        "Read blend: /tmp/fwb/shot.blend",
        "EGL Error (0x3001): EGL_NOT_INITIALIZED: EGL is not initialized",
        "Managed to successfully fallback to surfaceless EGL rendering!",
        "ft_dcc.publish.offline.connection: ftrack server unreachable, publishing to the offline "
        "queue: connection refused",
        "Saved: '/tmp/ft_dcc_publish_nx50utmk/capture/frame_0001.png'",
        " Time: 00:03.97 (Saving: 00:01.13)",
        "",
    ]
)


def quiet(integration: Any, caplog: Any) -> None:
    """Without ``ft-dcc -v`` (whatever logging level an earlier test in this worker left): the
    integration shows the artist only the lines that matter."""
    caplog.set_level(logging.WARNING, logger=type(integration).__module__)
    caplog.set_level(logging.WARNING, logger=host_log.__name__)  # it decides for every host


def outcome(code: int) -> Dict[str, Any]:
    return {"exit_code": code, "report": None, "text": "Queued: ...", "log": HOST_LOG}


@pytest.mark.parametrize("integration", [blender, maya, nuke], ids=lambda i: i.name)
def test_a_queued_publish_shows_why_and_when_not_the_host_noise(
    integration, monkeypatch, capsys, caplog
):
    quiet(integration, caplog)
    monkeypatch.setattr(
        integration, "publish_headless_result", lambda request, **_: outcome(EXIT_QUEUED)
    )
    shot = HeadlessPublish(Path("shot"), PublishRequest())
    assert integration.publish_headless(shot) == EXIT_QUEUED
    err = capsys.readouterr().err
    assert "EGL Error" not in err and "Saved:" not in err, err
    assert "ftrack server unreachable, publishing to the offline queue" in err  # why
    assert "next publish that reaches the server" in err and "ft-dcc queue flush" in err  # when


@pytest.mark.parametrize("integration", [blender, maya, nuke], ids=lambda i: i.name)
def test_a_failed_publish_still_shows_the_host_s_last_lines(
    integration, monkeypatch, capsys, caplog
):
    quiet(integration, caplog)
    monkeypatch.setattr(integration, "publish_headless_result", lambda request, **_: outcome(1))
    assert integration.publish_headless(HeadlessPublish(Path("shot"), PublishRequest())) == 1
    err = capsys.readouterr().err
    assert "EGL Error" in err and "Time: 00:03.97" in err  # its error may be among them
    assert "next publish" not in err
