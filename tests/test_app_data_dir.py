"""One app-data folder for ft_dcc on each machine: the offline queue, the embedded server's data
and the demo's live in it (the queue was once in ``…/ft-dcc``, the server in ``…/ft_dcc``).
One helper decides it, in ``ft_dcc.protocol`` (the server shares only that package with the
client), with or without platformdirs, on each platform's convention."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ft_dcc import demo
from ft_dcc.publish.offline import queue
from ft_dcc.server.runtime import config


def folders() -> dict:
    return {
        "queue": queue.default_queue_dir().parent,
        "server": config.default_data_dir().parent,
        "demo": demo.default_base(),
    }


#: every platform without platformdirs (ft_dcc's own rule); with it, only the platform this runs
#: on (platformdirs answers for that one): no case is generated only to be skipped
CASES = [(platform, False) for platform in ("linux", "darwin", "win32")] + [
    (platform, True) for platform in ("linux", "darwin", "win32") if platform == sys.platform
]


@pytest.mark.parametrize("platform, with_platformdirs", CASES)
def test_queue_server_and_demo_share_one_app_data_folder(
    platform, with_platformdirs, tmp_path, monkeypatch
):
    monkeypatch.delenv("FT_DCC_QUEUE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    if not with_platformdirs:
        monkeypatch.setitem(sys.modules, "platformdirs", None)  # import platformdirs fails
    monkeypatch.setattr(sys, "platform", platform)

    found = folders()

    assert len(set(found.values())) == 1, found
    expected = {
        "linux": tmp_path / "xdg" / "ft_dcc",
        "darwin": tmp_path / "Library" / "Application Support" / "ft_dcc",
        "win32": tmp_path / "local" / "ft_dcc" / "ft_dcc",
    }[platform]
    assert found["queue"] == expected
    assert config.default_data_dir() == expected / "server"


def test_the_helper_lives_where_the_server_may_import_it():
    from ft_dcc.protocol import app_data

    assert queue.user_data_dir is app_data.user_data_dir
    source = Path(config.__file__).read_text(encoding="utf-8")
    assert "ft_dcc.protocol.app_data" in source and "platformdirs" not in source
