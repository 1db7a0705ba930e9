"""Which usernames a note mentions: ``@name`` not inside a word, a sentence's own "." or "-"
after it not part of the name (the pattern is linear: tests/tools/test_linear_patterns.py)."""

from __future__ import annotations

from ft_dcc.server.review.feedback.mentions import mentioned


def test_a_mention_ends_where_the_sentence_goes_on() -> None:
    text = "@ana.lee. and @bob- then @x_ and @a, again @ana.lee; mail me@studio.example"

    assert mentioned(text) == ["ana.lee", "bob", "x_", "a"]


def test_a_long_run_of_dots_is_read_at_once() -> None:
    assert mentioned("@a" + "." * 100_000 + "!") == ["a"]
