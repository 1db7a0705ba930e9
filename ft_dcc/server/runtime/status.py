"""``ft-dcc server status``: is the embedded server up, which version, and can it serve.

It asks the server's own answers (``http.health``): ``GET /health`` (the process answers, and
its ``version``) and ``GET /ready`` (its database and file store are usable). Which server: the
``--url`` given, else ``FTRACK_SERVER``, else every server this machine's user runs (their
records, ``runtime.running``), else the default ``http://127.0.0.1:8765``. Only the standard
library: it runs without the server extra.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional

DEFAULT_URL = "http://127.0.0.1:8765"
TIMEOUT = 15.0


@dataclass(frozen=True)
class Status:
    """What one server said: ``health`` and ``ready`` are its JSON answers (None: no answer)."""

    url: str
    health: Optional[Dict[str, object]]
    ready: Optional[Dict[str, object]]
    problem: str = ""
    notes: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.health and self.ready and self.ready.get("ready") is True)

    def lines(self) -> List[str]:
        if self.health is None:
            return [f"{self.url}: not answering ({self.problem})"]
        head = (f"{self.url}: up, ft-dcc {self.health.get('version', '?')} "
                f"(worker {self.health.get('worker', '?')})")  # fmt: skip
        if self.ready is None:
            return [head, f"  ready: no answer ({self.problem})"]
        if self.ok:
            return [head, "  ready: database ok, files ok"]
        problems = self.ready.get("problems")
        said = problems if isinstance(problems, dict) else {}
        return [head, "  NOT ready:"] + [f"    {key}: {value}" for key, value in said.items()]


def _get(url: str) -> Dict[str, object]:
    """The JSON answer of ``url`` (an error status's too); raises ``OSError`` without one."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        raise OSError(f"{url} did not answer JSON: is it an ft_dcc server?") from None
    if not isinstance(data, dict):
        raise OSError(f"{url} did not answer JSON: is it an ft_dcc server?")
    return data


def check(url: str) -> Status:
    """Ask the server at ``url`` for ``/health`` and ``/ready``."""
    base = url.rstrip("/")
    try:
        health = _get(base + "/health")
    except OSError as error:
        return Status(url, None, None, _reason(error))
    try:
        ready = _get(base + "/ready")
    except OSError as error:
        return Status(url, health, None, _reason(error))
    return Status(url, health, ready)


def _reason(error: OSError) -> str:
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error)


def targets(given: Optional[str], environ: Mapping[str, str]) -> List[str]:
    """The servers to ask (see the module's docstring)."""
    if given:
        return [given]
    if environ.get("FTRACK_SERVER", "").strip():
        return [environ["FTRACK_SERVER"].strip()]
    from ft_dcc.server.runtime.running import all_records

    return [record.url for record in all_records()] or [DEFAULT_URL]
