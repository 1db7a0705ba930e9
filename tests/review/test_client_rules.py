"""``ft-dcc review create|update|revoke`` with the client-review rules, run in-process
(``ft_dcc.cli.main``) against the shared embedded server; every value is read back over HTTP by
the genuine ``ftrack_api`` client: ftrack's own fields (``passphrase_enabled``, ``start_date``,
``end_date``) and the session's ``EntitySetting`` rows (group ``review``). Bad input is refused
with a message and nothing is written; the passphrase is never printed."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest
import requests
from support import emptied, genuine_sessions

from ft_dcc.cli import main

PASS = "correct horse battery"  # the test's passphrase: must never be printed
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def genuine(
    embedded_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[Any, Any]]:
    """A genuine ftrack_api session (each read with its cache emptied: ``support.emptied``),
    and the name of a project made with it."""
    with genuine_sessions(embedded_server, tmp_path_factory.mktemp("client-rules")) as make:
        session = make()
        name = f"cr{uuid.uuid4().hex[:8]}"
        session.create(
            "Project",
            {
                "name": name,
                "full_name": name,
                "project_schema": session.query("ProjectSchema").first(),
            },
        )
        session.commit()
        yield session, name


@pytest.fixture
def project(genuine: Tuple[Any, Any], ftrack_env: Any) -> str:
    return str(genuine[1])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Tuple[int, str]:
    """``ft-dcc review ARGS`` in-process: its exit status and everything it printed."""
    capsys.readouterr()
    try:
        code = main(["review", *args])
    except SystemExit as exc:  # argparse's refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert PASS not in out + err
    return code, out + err


def stored(genuine: Tuple[Any, Any], project: str, name: str) -> Dict[str, Any]:
    """The session's fields and its review settings, read fresh by the genuine client."""
    session = emptied(genuine[0])
    row = session.query(
        "select id, passphrase_enabled, start_date, end_date, is_open from ReviewSession "
        f'where name is "{name}" and project.name is "{project}"'
    ).one()
    settings = session.query(
        "select name, value from EntitySetting "
        f'where parent_id is "{row["id"]}" and group is "review"'
    ).all()
    return {
        "id": row["id"],
        "passphrase_enabled": row["passphrase_enabled"],
        "start": _utc(row["start_date"]),
        "end": _utc(row["end_date"]),
        "is_open": row["is_open"],
        "settings": {s["name"]: s["value"] for s in settings},
    }


def invitee_link(capsys: pytest.CaptureFixture[str], name: str, project: str, email: str) -> str:
    code, out = run(capsys, "link", name, "--project", project, "--invitee", email)
    assert code == 0, out
    return out.strip()


def answer(link: str, passphrase: str) -> requests.Response:
    """The review page's passphrase form, answered through ``link``."""
    base, _, token = link.partition("?token=")
    return requests.post(
        base.rstrip("/") + "/passphrase", params={"token": token},
        data={"passphrase": passphrase}, allow_redirects=False, timeout=30,
    )  # fmt: skip


def page_status(link: str) -> int:
    return requests.get(link, timeout=30).status_code


def _utc(value: Any) -> Optional[dt.datetime]:
    return None if value is None else value.datetime.astimezone(UTC)


def test_create_sets_each_rule(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str
) -> None:
    code, out = run(
        capsys, "create", "Client A", "--project", project, "--passphrase", PASS,
        "--opens", "2031-01-05", "--closes", "2031-01-12T18:00:00Z",
        "--downloads", "proxy", "--watermark",
    )  # fmt: skip
    assert code == 0, out
    assert "passphrase: set (not shown)" in out and "written to the ftrack server at" in out
    assert "downloads: review proxy" in out and "watermark: on" in out
    got = stored(genuine, project, "Client A")
    assert got["passphrase_enabled"] is True
    assert got["start"] == dt.datetime(2031, 1, 5, tzinfo=UTC)
    assert got["end"] == dt.datetime(2031, 1, 12, 18, tzinfo=UTC)
    assert got["settings"] == {"download_policy": "proxy", "watermark": "true"}


def test_update_changes_only_what_it_names(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str, tmp_path: Path
) -> None:
    assert run(capsys, "create", "Client B", "--project", project)[0] == 0
    before = stored(genuine, project, "Client B")
    assert before["settings"] == {} and not before["passphrase_enabled"]
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    asked = dt.datetime.now(UTC).replace(microsecond=0)  # "+7d" counts from when it is run
    code, out = run(
        capsys, "update", "Client B", "--project", project, "--passphrase-file", str(secret),
        "--downloads", "original", "--closes", "+7d",
    )  # fmt: skip
    assert code == 0, out
    after = stored(genuine, project, "Client B")
    assert after["passphrase_enabled"] is True and after["start"] == before["start"]
    assert after["end"] is not None and after["end"] >= asked + dt.timedelta(days=7)
    assert after["settings"] == {"download_policy": "original"}
    # the server took the passphrase the file gave: a client link's viewer gets in with it
    assert run(capsys, "invite", "Client B", "--project", project, "bo@client.test")[0] == 0
    link = invitee_link(capsys, "Client B", project, "bo@client.test")
    right, wrong = answer(link, PASS), answer(link, PASS + "!")
    assert right.status_code == 303 and right.cookies, right.text
    assert not wrong.cookies and "Set-Cookie" not in wrong.headers
    code, out = run(
        capsys, "update", "Client B", "--project", project, "--no-passphrase", "--no-watermark",
        "--downloads", "none",
    )  # fmt: skip
    assert code == 0 and "passphrase: off" in out, out
    again = stored(genuine, project, "Client B")
    assert again["passphrase_enabled"] is False and again["end"] == after["end"]
    assert again["settings"] == {"download_policy": "none", "watermark": "false"}


@pytest.mark.parametrize(
    "args, says",
    [
        (("--opens", "2031-02-10", "--closes", "2031-02-01"), "--closes (2031-02-01 00:00 UTC) "
         "is not after --opens (2031-02-10 00:00 UTC)"),
        (("--closes", "2020-01-01"), "--closes 2020-01-01 00:00 UTC has passed"),
        (("--opens", "next tuesday"), "--opens 'next tuesday' is not a date"),
        (("--downloads", "everything"), "invalid choice: 'everything'"),
        (("--passphrase", "short"), "a passphrase needs at least 8 characters"),
        (("--passphrase", PASS, "--no-passphrase"), "not allowed with argument"),
    ],
)  # fmt: skip
def test_bad_input_writes_nothing(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str,
    args: Tuple[str, ...], says: str,
) -> None:  # fmt: skip
    name = f"Client C {uuid.uuid4().hex[:6]}"
    assert run(capsys, "create", name, "--project", project)[0] == 0
    before = stored(genuine, project, name)
    # with a valid passphrase and watermark beside the bad option: neither is written
    extra = () if "--passphrase" in args else ("--watermark", "--passphrase", PASS)
    code, out = run(capsys, "update", name, "--project", project, *extra, *args)
    assert code != 0 and says in out, out
    assert stored(genuine, project, name) == before
    code, out = run(capsys, "create", name + " new", "--project", project, *args)
    assert code != 0 and says in out, out
    missing = emptied(genuine[0]).query(
        f'select id from ReviewSession where name is "{name} new" and project.name is "{project}"'
    )
    assert missing.first() is None


def test_revoke_writes_the_mark(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str
) -> None:
    assert run(capsys, "create", "Client D", "--project", project)[0] == 0
    assert run(capsys, "invite", "Client D", "--project", project, "dana@client.test")[0] == 0
    before = invitee_link(capsys, "Client D", project, "dana@client.test")
    assert page_status(before) == 200
    started = dt.datetime.now(UTC).replace(microsecond=0)
    code, out = run(capsys, "revoke", "Client D", "--project", project)
    assert code == 0 and "written to the ftrack server at" in out, out
    assert page_status(before) == 403  # issued before: ended at once
    assert page_status(invitee_link(capsys, "Client D", project, "dana@client.test")) == 200
    code, out = run(
        capsys, "revoke", "Client D", "--project", project, "--invitee", "dana@client.test"
    )
    assert code == 0 and "dana@client.test" in out, out
    got = stored(genuine, project, "Client D")
    invitee = (
        emptied(genuine[0])
        .query(f'select id from ReviewSessionInvitee where review_session_id is "{got["id"]}"')
        .one()
    )
    marks = got["settings"]
    assert set(marks) == {"links_revoked_at", f"invitee_links_revoked_at:{invitee['id']}"}
    for value in marks.values():
        assert dt.datetime.fromisoformat(value.replace("Z", "+00:00")) >= started
    code, out = run(capsys, "revoke", "Client D", "--project", project, "--invitee", "x@y.test")
    assert code == 1 and "x@y.test is not invited to 'Client D'" in out
    assert stored(genuine, project, "Client D")["settings"] == marks


def test_revoke_on_a_server_that_issues_ftracks_own_links(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """ftrack has no revocation mark: there the shared link is turned off, invitees are kept."""
    from ft_dcc.review import client_write

    monkeypatch.setattr(client_write, "issues_own_links", lambda session, review_session: None)
    assert run(capsys, "create", "Client E", "--project", project)[0] == 0
    assert run(capsys, "invite", "Client E", "--project", project, "eve@client.test")[0] == 0
    code, out = run(capsys, "revoke", "Client E", "--project", project)
    assert code == 0 and "its shared link is now off" in out, out
    code, out = run(
        capsys, "revoke", "Client E", "--project", project, "--invitee", "eve@client.test"
    )
    assert code == 0 and "remove the invitee from the session in ftrack" in out, out
    session = emptied(genuine[0])
    row = session.query(
        "select shareable_url_enabled, review_session_invitees from ReviewSession "
        f'where name is "Client E" and project.name is "{project}"'
    ).one()
    assert row["shareable_url_enabled"] is False and len(row["review_session_invitees"]) == 1


def test_only_a_manager_changes_the_rules(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str,
    embedded_server: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Another User's update and revoke are refused by the server, with nothing written."""
    from support.trust import add_api_user

    assert run(capsys, "create", "Client F", "--project", project)[0] == 0
    before = stored(genuine, project, "Client F")
    username = f"mallory{uuid.uuid4().hex[:6]}"
    _, key = add_api_user(embedded_server, username)
    monkeypatch.setenv("FTRACK_API_USER", username)
    monkeypatch.setenv("FTRACK_API_KEY", key)
    for args in (("update", "--downloads", "original", "--passphrase", PASS), ("revoke",)):
        code, out = run(capsys, args[0], "Client F", "--project", project, *args[1:])
        assert code == 1 and "Traceback" not in out, out
        assert "PermissionError" in out and "manage the review session" in out, out
    assert stored(genuine, project, "Client F") == before


def test_revoke_keeps_the_servers_time(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The machine running revoke has a clock an hour behind the server's: the links issued
    before the revoke still end (the mark is the server's time, not the machine's)."""
    from ft_dcc.review import client_write

    behind = dt.datetime.now(UTC) - dt.timedelta(hours=1)
    monkeypatch.setattr(client_write, "_client_now", lambda: behind)
    assert run(capsys, "create", "Client G", "--project", project)[0] == 0
    assert run(capsys, "invite", "Client G", "--project", project, "gil@client.test")[0] == 0
    before = invitee_link(capsys, "Client G", project, "gil@client.test")
    assert run(capsys, "revoke", "Client G", "--project", project)[0] == 0
    assert page_status(before) == 403
    assert page_status(invitee_link(capsys, "Client G", project, "gil@client.test")) == 200


def test_the_client_verdict_and_visibility_rules_are_set_from_the_terminal(
    capsys: pytest.CaptureFixture[str], genuine: Tuple[Any, Any], project: str
) -> None:
    """``--client-verdicts-set-status`` and ``--clients-see-each-other`` write the session's
    ``review`` settings the server reads (``ft_dcc.server.review.reads.sight``, ``verdict_status``);
    off again with ``--no-...``; a session starts without them (off)."""
    assert run(capsys, "create", "Client V", "--project", project)[0] == 0
    assert stored(genuine, project, "Client V")["settings"] == {}
    code, out = run(capsys, "update", "Client V", "--project", project,
                    "--client-verdicts-set-status", "--clients-see-each-other")  # fmt: skip
    assert code == 0 and "client verdicts: move the version's status" in out, out
    assert "clients: see each other" in out
    assert stored(genuine, project, "Client V")["settings"] == {
        "client_verdict_sets_status": "true", "clients_see_each_other": "true"}  # fmt: skip
    code, out = run(capsys, "update", "Client V", "--project", project,
                    "--no-client-verdicts-set-status")  # fmt: skip
    assert code == 0, out
    assert stored(genuine, project, "Client V")["settings"]["client_verdict_sets_status"] == (
        "false")
