"""The session's editor's cut as the review page plays it ("Play cut")."""
