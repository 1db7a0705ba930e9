"""The readers of raw ``session.call`` answers (``ft_dcc.session.replies``): the embedded server's
real replies read as their action's shape; a reply of another shape (a server answering something
unexpected) is a clear ``UnexpectedReplyError`` naming the action, never a KeyError/TypeError."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, List, Sequence

import pytest
from session_helpers import make_project, open_session

from ft_dcc.exceptions import ServerError, UnexpectedReplyError
from ft_dcc.protocol.query_text import quote
from ft_dcc.review.sessions import review_page_url
from ft_dcc.session import replies
from ft_dcc.session.session import Session


@pytest.fixture
def session(embedded_server: Any, tmp_path: Path) -> Iterator[Session]:
    with open_session(embedded_server, tmp_path) as session:
        yield session


def test_the_readers_read_the_servers_replies(session: Session, embedded_server: Any) -> None:
    project = make_project(session)
    expression = f"select name from Project where id is {quote(project['id'])}"
    query, widget, upload = session.call(
        [
            {"action": "query", "expression": expression},
            {"action": "get_widget_url", "name": "info", "entity_key": [project["id"]]},
            {"action": "get_upload_metadata", "component_id": str(uuid.uuid4()),
             "file_name": "a.mov", "file_size": 3},
        ]
    )  # fmt: skip
    assert [entity["name"] for entity in replies.query_entities(query)] == [project["name"]]
    assert replies.first_entity(query) is replies.query_entities(query)[0]
    assert str(replies.widget_url(widget)).startswith(embedded_server.url + "/widget?token=")
    assert replies.upload_metadata(upload)["url"].startswith(embedded_server.url)


RECORDED_QUERY = {"action": "query", "data": [], "metadata": {"next": {"offset": None}}}
WRONG_SHAPES: List[Any] = [
    (replies.query_entities, ["not", "an", "object"]),
    (replies.query_entities, {"action": "query", "data": {"name": "not a list"}}),
    (replies.query_entities, {"action": "query", "data": [{"name": "no __entity_type__"}]}),
    (replies.first_entity, {"action": "query", "data": "x"}),
    (replies.created_entity, {"action": "create", "data": True}),
    (replies.widget_url, None),
    (replies.widget_url, {"action": "get_widget_url", "widget_url": 5}),
    (replies.signed_url, RECORDED_QUERY),
    (replies.job_id, RECORDED_QUERY),
    (replies.upload_metadata, RECORDED_QUERY),
    (replies.upload_metadata, {"url": ["not", "a", "url"]}),
    (replies.upload_metadata, {"url": "http://127.0.0.1/x", "headers": {"a": 1}}),
    (replies.upload_metadata, {"urls": [{"part_number": 1}], "upload_id": "u"}),
]


@pytest.mark.parametrize("reader, reply", WRONG_SHAPES)
def test_a_reply_of_the_wrong_shape_is_a_clear_error(
    reader: Callable[[object], object], reply: object
) -> None:
    wording = r"answered \w+ in an unexpected format"
    with pytest.raises(UnexpectedReplyError, match=wording) as caught:
        reader(reply)
    assert isinstance(caught.value, ServerError)  # what callers already handle
    assert caught.value.hint


class Answering:
    """A real session whose ``call`` answers with recorded replies instead."""

    def __init__(self, session: Session, answers: Sequence[object]) -> None:
        self._session = session
        self._answers = list(answers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def call(self, operations: Sequence[object]) -> List[object]:
        return self._answers[: len(operations)]


def test_a_review_link_of_the_wrong_shape_falls_back_to_the_web_app(session: Session) -> None:
    project = make_project(session)
    odd = Answering(session, [["a list, not the widget's object"]])
    url = review_page_url(odd, project["id"])  # type: ignore[arg-type]
    assert url.startswith(session.server_url.rstrip("/") + "/#")
    assert project["id"] in url
