"""Webhooks over a real ``ft-dcc server`` and receivers on 127.0.0.1 (``http.server``), driven
with ``ft-dcc webhook``.

The administrator adds a webhook for notes and verdicts and a Slack-compatible one for verdicts;
Mallory (no administrator) is refused every verb, and nothing changes. Alice writes a note and
gives a verdict on the page: the receiver, failing the first request, gets the same signed body
on the retry (its signature checked here with the secret); the body names the note, version and
review session; the Slack receiver gets ``{"text": …}``. ``ft-dcc webhook deliveries`` shows each
attempt's HTTP status. No reply of the server ever carries the secret. Against an ftrack server
that is not the embedded one, ``ft-dcc webhook`` says so and points to ftrack's automations.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from support.cli import run_ft_dcc
from support.insiders import item_post, make_world
from support.trust import call
from support.waiting import wait_until

from server.notify.digest_checks import Receiver, dailies

SECRET = "s3cret-for-the-chat-bot"
FIXTURES = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "fixtures"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Any]:
    os.environ["FT_DCC_WEBHOOK_RETRY_SECONDS"] = "0.3"
    try:
        made = make_world(tmp_path, "sqlite")
    finally:
        del os.environ["FT_DCC_WEBHOOK_RETRY_SECONDS"]
    yield made
    made.server.stop()


def webhook(world: Any, who: Any, *args: str, stdin: str = "") -> Any:
    env = dict(os.environ, FTRACK_SERVER=world.url, FTRACK_API_USER=who.user,
               FTRACK_API_KEY=who.key)  # fmt: skip
    return run_ft_dcc(["webhook", *args], env=env, input=stdin or None)


def _listed(world: Any) -> List[Dict[str, Any]]:
    done = webhook(world, world.admin, "list", "--json")
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout
    return json.loads(done.stdout)


def test_signed_events_reach_the_studios_webhooks_and_are_retried(world: Any) -> None:
    chat, slack = Receiver([500]), Receiver([])
    try:
        _walk(world, chat, slack)
    finally:
        chat.close()
        slack.close()


def _walk(world: Any, chat: Receiver, slack: Receiver) -> None:
    admin, mallory = world.admin, world.mallory
    added = webhook(world, admin, "add", chat.url, "--topic", "note.created",
                    "--topic", "verdict.given,note.reopened", "--secret", SECRET)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert SECRET not in added.stdout + added.stderr
    added = webhook(world, admin, "add", slack.url, "--topic", "verdict.given", "--slack",
                    "--secret-stdin", stdin=SECRET + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    before = _listed(world)
    assert [(h["url"], h["topics"], h["slack"]) for h in before] == [
        (chat.url, ["note.created", "verdict.given", "note.reopened"], False),
        (slack.url, ["verdict.given"], True),
    ]
    listed = webhook(world, admin, "list")  # a line each, as an administrator reads them
    assert listed.stdout.splitlines() == [
        f"{before[0]['id']}  {chat.url}  note.created,verdict.given,note.reopened",
        f"{before[1]['id']}  {slack.url}  verdict.given  [slack]",
    ], listed.stdout

    # Mallory is no administrator: every verb refused, saying who may; nothing changed
    for verb in (["add", "http://127.0.0.1:9/x", "--topic", "note.created", "--secret", "x" * 12],
                 ["list"], ["deliveries"], ["remove", before[0]["id"]]):  # fmt: skip
        refused = webhook(world, mallory, *verb)
        assert refused.returncode == 1, (verb, refused.stdout)
        assert "Only an administrator" in refused.stderr, (verb, refused.stderr)
    raw = call(world.server, [{"action": "ft_dcc.webhook", "verb": "list"}], **mallory.auth)
    assert raw.status_code == 403 and SECRET not in raw.text and chat.url not in raw.text
    assert _listed(world) == before
    # bad input: a clear error, nothing added
    for bad in (["ftp://x/y", "--topic", "note.created", "--secret", SECRET],
                [chat.url, "--topic", "note.deleted", "--secret", SECRET],
                [chat.url, "--topic", "note.created", "--secret", "short"]):  # fmt: skip
        refused = webhook(world, admin, "add", *bad)
        assert refused.returncode == 1 and "ft-dcc: error:" in refused.stderr, refused.stderr
    assert _listed(world) == before

    review = dailies(world)
    published, session, token = review.published, review.session, review.token
    note = item_post(world, review, token, "notes", frame=1012, content="Fin flickers")
    assert note.status_code == 201, note.text
    verdict = item_post(world, review, token, "status", status="approved")
    assert verdict.status_code == 200, verdict.text

    wait_until(
        lambda: len(chat.got) >= 3 and len(slack.got) >= 1,
        lambda: f"{len(chat.got)} requests to the chat hook, {len(slack.got)} to Slack's",
    )
    (_headers, first_body, first_status) = chat.got[0]
    assert first_status == 500
    retried = [(h, b) for h, b, s in chat.got[1:] if b == first_body]
    assert len(retried) == 1, "the failed body is sent again, byte for byte"
    for headers, body, _status in chat.got:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-ft-dcc-signature"], expected)
        assert headers["content-type"] == "application/json"
    events = {json.loads(b)["topic"]: json.loads(b) for _h, b, _s in chat.got}
    assert events["note.created"]["note_id"] == note.json()["id"]
    for event in events.values():
        assert (event["version_id"], event["review_session_id"]) == (published["version"], session)
    assert (
        events["note.created"]["text"] == "Fin flickers" and events["note.created"]["frame"] == 1012
    )
    assert events["verdict.given"]["verdict"] == "approved"
    slack_body = json.loads(slack.got[0][1])
    assert (
        "approved" in slack_body["text"]
        and slack_body["ft_dcc"]["version_id"] == published["version"]
    )

    def delivered() -> Any:
        done = webhook(world, admin, "deliveries", "--json")
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
        return found if len(found) == 3 and all(d["state"] == "delivered" for d in found) else None

    found = wait_until(delivered, "the three deliveries shown delivered")
    statuses = {d["topic"] + ("/slack" if d["webhook_id"] == before[1]["id"] else ""):
                [a["status"] for a in d["attempts"]] for d in found}  # fmt: skip
    first_topic = json.loads(first_body)["topic"]
    assert statuses[first_topic] == [500, 200], statuses
    assert sorted(len(v) for v in statuses.values()) == [1, 1, 2]
    text = webhook(world, admin, "deliveries")
    assert text.returncode == 0 and "attempts: 500, 200" in text.stdout, text.stdout
    assert SECRET not in text.stdout

    removed = webhook(world, admin, "remove", before[1]["id"])
    assert removed.returncode == 0, removed.stderr
    assert [h["id"] for h in _listed(world)] == [before[0]["id"]]


class FtrackSite:
    """An ftrack site's ``/api`` as far as ``ft-dcc webhook`` reaches it: the recorded answers to
    ``query_server_information`` and ``query_schemas`` (tests/data/ftrack/fixtures), and
    ftrack's refusal of an action it does not have."""

    def __init__(self) -> None:
        recorded = FIXTURES / "query_server_information_query_schemas.json"
        information, schemas = json.loads(recorded.read_text())
        known = {"query_server_information": information, "query_schemas": schemas}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                batch = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                replies = []
                for index, operation in enumerate(batch):
                    if operation.get("action") in known:
                        replies.append(known[operation["action"]])
                        continue
                    answer = {"exception": "ValueError", "error_code": None, "content":
                              f"Invalid action u'{operation.get('action')}' in operation "
                              f"{index + 1}"}  # fmt: skip
                    return self._send(answer)
                self._send(replies)

            def _send(self, answer: Any) -> None:
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


def test_an_ftrack_site_has_no_ft_dcc_webhooks_and_says_where_to_look() -> None:
    site = FtrackSite()
    try:
        env = dict(os.environ, FTRACK_SERVER=site.url, FTRACK_API_USER="someone",
                   FTRACK_API_KEY="a-key")  # fmt: skip
        done = run_ft_dcc(["webhook", "list"], env=env)
    finally:
        site.httpd.shutdown()
        site.httpd.server_close()
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "has no ft-dcc webhooks" in done.stderr and "automations" in done.stderr, done.stderr
