"""One implementation each for query-literal quoting and fps -> Fraction.

Both were written out several times; the copies disagreed at the edges (a zero or negative
rate given as a fraction was accepted by one and refused by the other).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from ft_dcc.media._fps import as_fraction
from ft_dcc.publish.host_port import to_fraction


@pytest.mark.parametrize("convert", [to_fraction, as_fraction], ids=["host", "media"])
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (24, Fraction(24)),
        (23.976, Fraction(24000, 1001)),
        (29.97, Fraction(30000, 1001)),
        ("30000/1001", Fraction(30000, 1001)),
        ("25", Fraction(25)),
        (Fraction(48), Fraction(48)),
    ],
)
def test_fps_as_an_exact_rational(convert, given, expected):
    assert convert(given) == expected


@pytest.mark.parametrize("convert", [to_fraction, as_fraction], ids=["host", "media"])
@pytest.mark.parametrize("given", [0, -24, "-24/1", "0/1", "24/0", Fraction(0), "fast"])
def test_a_rate_that_is_not_positive_is_refused_the_same_way(convert, given):
    with pytest.raises(ValueError):
        convert(given)


def test_one_query_quoting_round_trips_awkward_names_through_the_server(embedded_server, tmp_path):
    """Names with quotes and backslashes are found by review, publish and the Blender panel."""
    import uuid

    from ft_dcc_hosts.blender.addon import connection
    from support import open_session

    from ft_dcc.protocol.query_text import quote
    from ft_dcc.publish.context import tasks
    from ft_dcc.review import sessions as review

    awkward = 'Dailies "final" \\ v2'
    project_name = f'pr"oj\\{uuid.uuid4().hex[:6]}'
    with open_session(embedded_server, tmp_path) as session:
        schema = session.query("ProjectSchema").first()
        project = session.create(
            "Project", {"name": project_name, "full_name": project_name, "project_schema": schema}
        )
        task = session.create("Task", {"name": 'comp "a"', "parent": project})
        created = review.find_or_create_review_session(session, project, awkward)
        assert review.find_review_session(session, project, awkward)["id"] == created["id"]
        assert tasks.resolve_task(session, None, f'{project_name}/comp "a"')["id"] == task["id"]
        assert connection.open_review_sessions(session, f"{project_name}/x") == [awkward]
        assert connection.open_review_sessions(session, task["id"]) == [awkward]
    assert quote(awkward) == '"Dailies \\"final\\" \\\\ v2"'
