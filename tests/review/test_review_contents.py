"""``ft-dcc user add --role`` and ``ft-dcc review add|order|remove`` as a studio runs them.

A Supervisor of project P (made with ``ft-dcc user add --role supervisor --project P``, not an
administrator) adds versions to, orders and removes versions from the day's session an artist's
publish made, from the terminal; every change is read back through the genuine ``ftrack_api``
client (``ReviewSessionObject.sort_order``). In project Q she may not: refused, nothing written.
On the shared SQLite server and the PostgreSQL one (4 workers).

Taken back with ``ft-dcc user role --take-back``, her next change is refused.

Seen failing first: before the roles, ``review add`` as the supervisor on a private session of
the artist's was refused ("only its owner or an administrator may"), and ``review order`` and
``review remove`` did not exist.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from support.cli import run_ft_dcc
from support.entities import genuine_sessions
from support.groups import on_pg_server

from ft_dcc.review import sessions as review


@pytest.fixture(params=["sqlite_server", on_pg_server("pg_server")])
def server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(request.param)


def ft_dcc(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(list(args), env=dict(os.environ, **env), timeout=180)


def _target(server: Any) -> List[str]:
    """``--data`` (and ``--database``) naming ``server``'s store for ``ft-dcc user``."""
    args = ["--data", str(server.data_dir)]
    if "--database" in server.extra_args:
        args += ["--database", server.extra_args[server.extra_args.index("--database") + 1]]
    return args


def add_user(server: Any, name: str, *role: str) -> Tuple[str, str]:
    """``ft-dcc user add NAME ROLE…``: (its id, its API key) from what the command prints."""
    done = ft_dcc({}, "user", "add", name, *role, *_target(server))
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"\((\S+), (.*)\) API key: (\S+)", done.stdout)
    assert found, done.stdout
    return found.group(1), found.group(3)


@pytest.fixture
def genuine(server: Any, tmp_path: Path) -> Iterator[Any]:
    with genuine_sessions(server, tmp_path / "schemas") as make:
        yield make


def _project(admin: Any) -> Any:
    name = "rc" + uuid.uuid4().hex[:8]
    schema = admin.query("ProjectSchema").first()
    project = admin.create("Project", {"name": name, "full_name": name, "project_schema": schema})
    admin.create("Shot", {"name": "sh010", "parent": project})
    admin.commit()
    return project


def _publish(artist: Any, project: Any, count: int) -> List[Any]:
    """The artist's versions v001…, as a publish makes them."""
    shot = artist.query(f'Shot where project_id is "{project["id"]}"').one()
    asset = artist.create("Asset", {"name": "comp", "parent": shot})
    versions = [artist.create("AssetVersion", {"asset": asset, "version": n + 1})
                for n in range(count)]  # fmt: skip
    artist.commit()
    return versions


def _order(reader: Any, session_id: str) -> List[str]:
    rows = reader.query("select version_id, sort_order from ReviewSessionObject where "
                        f'review_session_id is "{session_id}"').all()  # fmt: skip
    return [r["version_id"] for r in sorted(rows, key=lambda r: r["sort_order"])]


def test_a_supervisor_builds_the_artists_session_from_the_terminal(
    server: Any, genuine: Any, tmp_path: Path
) -> None:
    admin = genuine()
    project, other = _project(admin), _project(admin)
    art_name = "art" + uuid.uuid4().hex[:6]
    _art_id, art_key = add_user(server, art_name)
    sup_name = "sup" + uuid.uuid4().hex[:6]
    sup_id, sup_key = add_user(server, sup_name, "--role", "supervisor", "--project",
                               project["name"])  # fmt: skip
    roles = ft_dcc({}, "user", "role", sup_name, *_target(server))
    assert f"Supervisor on projects {project['name']}" in roles.stdout, roles.stdout

    artist = genuine(api_user=art_name, api_key=art_key)
    v1, v2, v3 = _publish(artist, project, 3)
    day = review.find_or_create_review_session(artist, project["id"], "Dailies")
    review.add_version(artist, day, v1)
    review.make_private(artist, day)

    env = {"FTRACK_SERVER": server.url, "FTRACK_API_USER": sup_name, "FTRACK_API_KEY": sup_key,
           "FTRACK_API_SCHEMA_CACHE_PATH": str(tmp_path / "sup-schemas")}  # fmt: skip
    where = ("Dailies", "--project", project["name"])
    added = ft_dcc(env, "review", "add", *where, "sh010/comp/v2", v3["id"])
    assert added.returncode == 0, added.stdout + added.stderr
    assert "added: sh010 / comp v002" in added.stdout and "added: sh010 / comp v003" in added.stdout
    reader = genuine()
    assert _order(reader, day["id"]) == [v1["id"], v2["id"], v3["id"]]

    ordered = ft_dcc(env, "review", "order", *where, "comp/v3", "sh010/comp/v1")
    assert ordered.returncode == 0, ordered.stdout + ordered.stderr
    assert _order(genuine(), day["id"]) == [v3["id"], v1["id"], v2["id"]]

    removed = ft_dcc(env, "review", "remove", *where, "sh010/comp/v1")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert _order(genuine(), day["id"]) == [v3["id"], v2["id"]]

    # project Q is not hers: the artist's private session there refuses her, unchanged
    w1, w2, _w3 = _publish(artist, other, 3)
    theirs = review.find_or_create_review_session(artist, other["id"], "Dailies")
    review.add_version(artist, theirs, w1)
    review.add_version(artist, theirs, w2)
    review.make_private(artist, theirs)
    for action, version in (("add", "sh010/comp/v3"), ("remove", "sh010/comp/v1"),
                            ("order", "sh010/comp/v2")):  # fmt: skip
        refused = ft_dcc(env, "review", action, "Dailies", "--project", other["name"], version)
        assert refused.returncode == 1, (action, refused.stdout, refused.stderr)
        assert "Traceback" not in refused.stderr and "administrator" in refused.stderr, action
        assert _order(genuine(), theirs["id"]) == [w1["id"], w2["id"]]
    assert sup_id

    # the role taken back (ft-dcc user role --take-back): her next change to P is refused
    taken = ft_dcc({}, "user", "role", sup_name, "--take-back", "supervisor", *_target(server))
    assert f"'{sup_name}' is no longer Supervisor" in taken.stdout, taken.stdout + taken.stderr
    assert not genuine().query(f'UserSecurityRole where user_id is "{sup_id}" and '
                               'security_role.name is "Supervisor"').all()  # fmt: skip
    again = ft_dcc(env, "review", "add", *where, "sh010/comp/v1")  # the session is private
    assert again.returncode == 1 and "administrator" in again.stderr, again.stdout + again.stderr
    assert _order(genuine(), day["id"]) == [v3["id"], v2["id"]]


def test_role_options_that_cannot_be_given_add_no_user(server: Any) -> None:
    name = "nobody" + uuid.uuid4().hex[:6]
    for options, said in (
        (("--role", "supervisor"), "say which projects"),
        (("--role", "supervisor", "--project", "no-such-project"), "no project is named"),
        (("--role", "user", "--all-open-projects"), "covers all projects"),
    ):
        done = ft_dcc({}, "user", "add", name, *options, *_target(server))
        assert done.returncode == 1 and said in done.stderr, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    missing = ft_dcc({}, "user", "role", name, *_target(server))
    assert missing.returncode == 1 and "no user" in missing.stderr, missing.stderr
