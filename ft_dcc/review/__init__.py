"""Review sessions from the client's side, on ftrack's real ``ReviewSession*`` entities.

* :mod:`~ft_dcc.review.sessions` - find, create, close and reopen sessions, add versions and
  invitees, the review page's link.
* :mod:`~ft_dcc.review.names` - a typed session name to one ``ReviewSession``, or an error that
  says what to type (close matches, closed sessions, e-mail checks).
* :mod:`~ft_dcc.review.feedback` - the one reader of reviewers' notes, drawings, replies and
  statuses (the ``feedback`` command and the DCC panels).
* :mod:`~ft_dcc.review.export` - ``ft-dcc review export``: the session as an OpenTimelineIO
  timeline and a printable notes report (``export_read``, ``export_otio``, ``export_html``,
  ``export_frames``).
* :mod:`~ft_dcc.review.cli` + :mod:`~ft_dcc.review.commands` - ``ft-dcc review ...``.
"""
