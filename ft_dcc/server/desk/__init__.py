"""The dailies desk: a signed-in person's browser pages to run review sessions without a
terminal (``/desk/``): their projects, each project's review sessions (open first, today's on
top), and a session to build and run -- create, add versions (search, the latest of each shot,
another session's), drag to reorder, remove, rename, close and reopen, invite, client rules,
revoke, the room link, present, export and the audit trail.

It writes only ftrack's own entities, through the server's own API batch as the signed-in
person (:mod:`.writes`), so the store's rules decide who may (``rules.review_rights``); it
reads through the same batch (:mod:`.reads`). Routes: :mod:`.routes`; pages: :mod:`.pages` and
``web/``.
"""
