"""What ``ft-dcc review`` says is so on the embedded server: the links it prints open, and its
help says what the server does (it prints invitation links; it e-mails no one)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support import open_session
from support.cli import run_ft_dcc

URL = re.compile(r"https?://\S+")


def ok(env: Dict[str, str], *args: str) -> str:
    done = run_ft_dcc(["review", *args], env=dict(os.environ, **env), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def env(embedded_server: Any, tmp_path: Path) -> Dict[str, str]:
    return dict(embedded_server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schemas"))


@pytest.fixture
def project(embedded_server: Any, tmp_path: Path) -> Iterator[str]:
    """A new project's name."""
    with open_session(embedded_server, tmp_path) as session:
        name = f"ht{uuid.uuid4().hex[:8]}"
        schema = session.query("ProjectSchema").first()
        session.create("Project", {"name": name, "full_name": name, "project_schema": schema})
        session.commit()
        yield name


def _urls(text: str, label: str) -> List[str]:
    """The URLs on the lines starting with ``label``."""
    return [u for line in text.splitlines() if line.strip().startswith(label)
            for u in URL.findall(line)]  # fmt: skip


def test_a_private_sessions_printed_link_opens_for_its_creator(
    env: Dict[str, str], project: str
) -> None:
    out = ok(env, "create", "Private cut", "--project", project, "--private")
    links = _urls(out, "Watch it")
    assert len(links) == 1, out
    page = requests.get(links[0], timeout=30)
    assert page.status_code == 200, page.text[:300]
    # it is the creator's own link (it acts as them), said so where it is printed
    assert "yours" in out.lower() or "your own" in out.lower()
    # the room link is not printed for a private session: it opens for invitees only
    assert "ft-dcc review invite" in out


def test_invite_prints_each_invitees_link_and_mails_no_one(
    env: Dict[str, str], project: str
) -> None:
    ok(env, "create", "Client wk49", "--project", project, "--private")
    out = ok(env, "invite", "Client wk49", "ana@studio.com", "bob@studio.com",
             "--project", project)  # fmt: skip
    assert "sends no e-mail" in out
    for email in ("ana@studio.com", "bob@studio.com"):
        links = _urls(out, email)
        assert len(links) == 1, out
        assert requests.get(links[0], timeout=30).status_code == 200


def test_help_texts_say_what_the_embedded_server_does(env: Dict[str, str]) -> None:
    listing = ok(env, "--help")
    assert "e-mails them" not in listing
    invite_help = ok(env, "invite", "--help")
    assert "prints" in invite_help and "link" in invite_help
