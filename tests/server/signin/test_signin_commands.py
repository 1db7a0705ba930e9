"""``ft-dcc user add NAME --password-stdin``, ``ft-dcc user password`` and ``ft-dcc user
signin-link`` as an administrator types them: a password never on the command line, a short one
refused with nothing changed, no password source off a terminal refused saying what to give."""

from __future__ import annotations

import os
import uuid
from typing import Any, List, Optional

from support.cli import run_ft_dcc

from server.signin.people import password_on, signs_in


def _user(server: Any, *args: str, given: Optional[str] = None) -> Any:
    command: List[str] = ["user", *args, "--data", str(server.data_dir)]
    return run_ft_dcc(command, env=dict(os.environ), input=given)


def test_user_add_sets_the_password_from_standard_input(embedded_server: Any) -> None:
    name, password = f"added-{uuid.uuid4().hex[:6]}", f"pw {uuid.uuid4().hex}"

    done = _user(embedded_server, "add", name, "--password-stdin", given=password + "\n")

    assert done.returncode == 0, done.stderr
    assert password not in done.stdout + done.stderr
    assert signs_in(embedded_server, name, password) == 303
    # a brand-new user had no sign-ins to end: told where to sign in, not that they ended
    assert "sign-ins ended" not in done.stdout, done.stdout
    assert "can sign in with it at http" in done.stdout, done.stdout
    again = _user(embedded_server, "password", name, "--password-stdin", given=password + "!\n")
    assert again.returncode == 0 and "sign-ins ended" in again.stdout, again.stdout


def test_a_short_password_is_refused_and_the_old_one_stays(embedded_server: Any) -> None:
    name, password = password_on(embedded_server, "short")

    done = _user(embedded_server, "password", name, "--password-stdin", given="abc\n")

    assert done.returncode == 1
    assert "at least 8 characters" in done.stderr and "nothing was changed" in done.stderr
    assert signs_in(embedded_server, name, password) == 303


def test_no_password_source_off_a_terminal_says_what_to_give(embedded_server: Any) -> None:
    name, _password = password_on(embedded_server, "quiet")

    done = _user(embedded_server, "password", name)

    assert done.returncode == 1
    assert "--password-file FILE or --password-stdin" in done.stderr


def test_a_password_is_never_an_argument(embedded_server: Any) -> None:
    name, _password = password_on(embedded_server, "argued")

    done = _user(embedded_server, "password", name, "--password", "secret-on-the-line")

    assert done.returncode == 2  # argparse: no such option


def test_an_unknown_user_gets_no_link(embedded_server: Any) -> None:
    done = _user(embedded_server, "signin-link", f"nobody-{uuid.uuid4().hex[:6]}")

    assert done.returncode == 1
    assert "no active user" in done.stderr and "ft-dcc user add" in done.stderr
    assert "/signin/link" not in done.stdout
