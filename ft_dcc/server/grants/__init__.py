"""Grants: every way in is checked on each use, and a revocation ends what depended on it.

:mod:`ft_dcc.server.grants.bus` carries revocations to every server process; the things that
hold a grant open (API key checks, hub sockets, ``/live`` streams, ...) subscribe to it and
re-check against the database.
"""
