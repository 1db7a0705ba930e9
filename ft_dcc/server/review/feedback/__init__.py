"""The feedback a review page takes: notes, drawings, verdicts, mentions, sharing a note."""
