"""What a note is and where it stands (``ft_dcc.protocol.note_state``), as the exports and the
desk say it: the version that addressed a to-do is read from its completer's own reply, so a
reply by anyone else that reads the same names nothing."""

from __future__ import annotations

from ft_dcc.protocol.note_state import addressed_by, addressed_reply, note_kind, note_state
from ft_dcc.publish.integrate.addresses import AddressedView, address_operations


def test_kind_and_state() -> None:
    assert note_kind(True, None) == "to-do" and note_kind(False, None) == "comment"
    assert note_kind(False, "n1") == "reply" and note_kind(True, "n1") == "reply"
    assert note_state(True, None, None) == "open"
    assert note_state(True, None, "2026-11-26T12:00:00+00:00") == "addressed"
    assert note_state(False, None, None) == "" and note_state(False, "n1", None) == ""


def test_the_version_is_read_from_the_completers_own_reply() -> None:
    done = "2026-11-26T12:00:00+00:00"
    publish = address_operations(
        ["n1"], AddressedView(notes={"n1": {"parent_id": "o1", "parent_type": "X"}},
                              publisher_id="artist"),
        "v2", "shot v002",
    )  # fmt: skip
    written = publish[1]["entity_data"]["content"]
    assert written == addressed_reply("shot v002") == "Addressed in shot v002."
    assert addressed_by(done, "artist", [("Really?", "sue"), (written, "artist")]) == "shot v002"
    # someone else's reply reading the same names nothing; the latest of the completer's wins
    assert addressed_by(done, "artist", [("Addressed in shot v009.", "mallory")]) == ""
    later = [(written, "artist"), ("Addressed in shot v003.", "artist")]
    assert addressed_by(done, "artist", later) == "shot v003"
    # open, or completed without a publish's reply: no version
    assert addressed_by(None, "artist", [(written, "artist")]) == ""
    assert addressed_by(done, "artist", [("done", "artist")]) == ""
