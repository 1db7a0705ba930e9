"""Every page and JSON route of the desk and of the review room reads the studio's big tables
through an index: none of the statements it runs plans a whole scan of one of them.

The studio has lived a while (two projects, a 30- and a 60-version session with their notes, 300
more sessions, 90 versions); each route is asked for what a person opens (the administrator,
signed in, for the desk; the owner's own link for the review room) and the ``EXPLAIN QUERY PLAN``
of each statement it ran is read (SQLite). The walk covers every ``GET`` route the app mounts under
``/desk`` and ``/review``: a new route fails the first test until it is walked here, so no route
joins the server without its plans read. Plans only, never a clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("sqlalchemy")

from web.test_big_session_build import Built, Media, build_session, widget_url

from server.desk.heard import Studio, open_studio, rows_and_scans, statements
from server.review.in_process import InProcessApi

#: the tables a year fills (a whole scan of one is a read that grows with the studio)
BIG = ("ft_review_session", "ft_review_session_object", "ft_asset_version", "ft_asset",
       "ft_note", "ft_component", "ft_metadata", "ft_context",
       "ft_review_session_object_status", "ft_review_session_invitee")  # fmt: skip
#: routes not walked, and why
NOT_WALKED = {
    "/desk": "a redirect to /desk/ (reads nothing)",
    "/desk/static/{name}": "a file of the desk's own",
    "/review/{review_session_id}/live": "a stream that does not end; its reads are the feedback's",
}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Studio, Dict[str, str]]]:
    base: Path = tmp_path_factory.mktemp("route_plans")
    with open_studio(base / "data") as studio:
        api = InProcessApi(studio.client)
        media = Media(base / "media", base / "data")
        build_session(api, media, 60, notes=3)  # another project's session
        built = build_session(api, media, 30, notes=3)
        studio.project = built.project_id
        studio.seed_sessions(300)
        yield studio, _values(studio, api, built)


def _values(studio: Studio, api: InProcessApi, built: Built) -> Dict[str, str]:
    """What the walk's paths are made of: the session, its project, a link's token, a
    component of its first item."""
    link = urlparse(widget_url(api, built.review_session_id, True))
    token = parse_qs(link.query)["token"][0]
    session = built.review_session_id
    items = studio.client.get(f"/review/{session}/items", params={"token": token, "from": 0})
    assert items.status_code == 200, items.text[:1000]
    component = _first_component(items.json())
    listing = api([{"action": "get_widget_url", "name": "review_session"}])[0]["widget_url"]
    listed = parse_qs(urlparse(listing).query)["token"][0]
    return {"session": session, "project": built.project_id, "token": token,
            "component": component, "list": listed}  # fmt: skip


def _first_component(reply: Any) -> str:
    """The id of the first media URL's component in an items reply."""
    text = str(reply)
    marker = "/media/"
    start = text.index(marker) + len(marker)
    return text[start : start + 36]


def _walk(values: Dict[str, str]) -> Dict[str, List[str]]:
    """Each walked route's paths, by the route's template."""
    s, p, t, c = values["session"], values["project"], values["token"], values["component"]
    review = f"/review/{s}"
    return {
        "/desk/": ["/desk/"],
        "/desk/project/{project_id}": [f"/desk/project/{p}"],
        "/desk/session/{session_id}": [f"/desk/session/{s}"],
        "/desk/session/{session_id}/export.csv": [f"/desk/session/{s}/export.csv"],
        "/desk/session/{session_id}/audit.csv": [f"/desk/session/{s}/audit.csv"],
        "/desk/api/sessions": [f"/desk/api/sessions?project={p}&offset=100"],
        "/desk/api/session/{session_id}": [f"/desk/api/session/{s}"],
        "/desk/api/project/{project_id}/versions": [
            f"/desk/api/project/{p}/versions?shot=sh0001",
            f"/desk/api/project/{p}/versions?latest=1",
            f"/desk/api/project/{p}/versions?from={s}",
        ],
        "/desk/api/session/{session_id}/audit": [f"/desk/api/session/{s}/audit"],
        "/desk/mail": ["/desk/mail"],
        "/desk/api/mail": ["/desk/api/mail"],
        "/review/": [f"/review/?token={values['list']}"],
        "/review/{review_session_id}": [f"{review}?token={t}"],
        "/review/{review_session_id}/items": [f"{review}/items?token={t}&from=0"],
        "/review/{review_session_id}/media/{component_id}": [f"{review}/media/{c}?token={t}"],
        "/review/{review_session_id}/notes": [f"{review}/notes?token={t}"],
        "/review/{review_session_id}/feedback": [f"{review}/feedback?token={t}"],
        "/review/{review_session_id}/presenter": [f"{review}/presenter?token={t}"],
        "/review/{review_session_id}/whoami": [f"{review}/whoami?token={t}"],
        "/review/{review_session_id}/cut": [f"{review}/cut?token={t}"],
    }


def _mounted(studio: Studio) -> List[str]:
    """The GET routes of the desk and the review room the app mounts."""
    return sorted(
        str(route.path) for route in studio.client.app.routes
        if "GET" in (getattr(route, "methods", None) or ())
        and str(route.path).startswith(("/desk", "/review/"))
        and not str(route.path).startswith("/review/static")
    )  # fmt: skip


def test_every_desk_and_review_route_is_walked(year: Tuple[Studio, Dict[str, str]]) -> None:
    studio, values = year
    walked = set(_walk(values)) | set(NOT_WALKED)
    assert [path for path in _mounted(studio) if path not in walked] == []
    assert sorted(walked - set(_mounted(studio))) == []  # nothing walked that is gone


def test_no_route_reads_a_big_table_whole(year: Tuple[Studio, Dict[str, str]]) -> None:
    studio, values = year
    engine = studio.server.store.engine
    found: Dict[str, List[str]] = {}
    for paths in _walk(values).values():
        for path in paths:
            studio.client.get(path)  # what a link or a cookie keeps a moment is kept
            with statements(engine) as seen:
                reply = studio.client.get(path)
            assert reply.status_code < 400 or path.endswith("/cut?token=" + values["token"]), (
                path, reply.status_code, reply.text[:300])  # fmt: skip
            assert seen, f"{path} ran no statement: is it walked as a person opens it?"
            _, scans = rows_and_scans(engine, list(seen), BIG)
            if scans:
                found[path] = scans
    assert found == {}


def test_the_review_rooms_list_names_the_open_sessions_only(
    year: Tuple[Studio, Dict[str, str]],
) -> None:
    """Read as two bounded ranges (no end; an end to come), the list still names each open
    session, the newest first, and no closed one."""
    studio, values = year
    page = studio.client.get(f"/review/?token={values['list']}").text
    assert "Dailies 60" in page and "Dailies 30" in page  # an end to come (2099)
    assert "Dailies 00290" in page and "Dailies 00000" in page  # no end
    assert "Dailies 00291" not in page and "Dailies 00001" not in page  # ended
    assert page.index("Dailies 00290") < page.index("Dailies 00280")  # newest first
