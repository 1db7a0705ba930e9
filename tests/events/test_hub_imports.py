"""What connecting a hub imports: websocket-client without numpy.

websocket-client 0.x (ftrack-python-api pins it below 1) imports numpy, when it can, only to
mask the frames a client sends: 0.1-0.15 CPU-s in every process that connects a hub (each CLI
publish announces its version). ``websocket_module`` imports it without; its frames are masked
in pure Python, as where numpy is not installed.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from ft_dcc.session.event_socket import websocket_module
websocket = websocket_module()
masked = websocket.ABNF.mask(b"\\x01\\x02\\x03\\x04", b"hello, hub")
print(sorted(name for name in ("numpy", "websocket") if name in sys.modules), masked.hex())
"""


def test_the_hubs_websocket_client_is_imported_without_numpy_and_masks_frames() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    expected = bytes(b ^ (1, 2, 3, 4)[i % 4] for i, b in enumerate(b"hello, hub")).hex()
    assert done.stdout.split() == ["['websocket']", expected], done.stdout
