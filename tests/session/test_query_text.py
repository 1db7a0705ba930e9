"""The one query-literal rule (``ft_dcc.protocol.query_text``) the client writes expressions with
and the embedded server reads them back by: awkward values round-trip through a real
query in ``tests/test_small_repeats.py``; here each kind of value is written as ftrack's grammar
expects."""

from __future__ import annotations

import pytest

from ft_dcc.protocol.query_text import quote, quoted_list


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "none"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (2.5, "2.5"),
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('\\"', '"\\\\\\""'),
    ],
)
def test_each_kind_of_value_becomes_its_literal(value, literal):
    assert quote(value) == literal


def test_a_list_is_quoted_in_order():
    assert quoted_list(["a", 'b"', 1]) == '"a", "b\\"", 1'
    assert quoted_list([]) == ""
