"""The names of a review session's client rules, shared by the terminal, the publish settings
and the server (stdlib only).

The rules are ftrack's own ``ReviewSession`` fields (``passphrase``, ``passphrase_enabled``,
``start_date``, ``end_date``) and the session's ``EntitySetting`` rows (ftrack's
``ReviewSession.settings``: ``parent_id`` the session's id) of group :data:`GROUP`.
"""

from __future__ import annotations

#: ``EntitySetting.group`` of a review session's rules
GROUP = "review"
#: what a client link may download: one of :data:`DOWNLOADS` (no row: ``none``)
DOWNLOAD_POLICY = "download_policy"
#: ``"true"``: the frames a client receives carry their name and the date (no row: false)
WATERMARK = "watermark"
#: ISO-8601 UTC: every client link of the session issued before it stops
LINKS_REVOKED_AT = "links_revoked_at"
#: + an invitee's id: the same for that invitee's links
INVITEE_LINKS_REVOKED_AT = "invitee_links_revoked_at:"
#: + an invitee's id: ISO-8601 UTC: when the desk last sent (or gave) that invitee a new link;
#: after their revocation mark they are invited again
INVITEE_INVITED_AT = "invitee_invited_at:"
#: ``"true"``: the session's invited clients see each other's names, notes and verdicts (no row:
#: each client sees only their own, ``ft_dcc.server.review.reads.sight``)
CLIENTS_SEE_EACH_OTHER = "clients_see_each_other"
#: ``"true"``: a client's verdict moves the version's ftrack status as a studio member's does
#: (no row: it never does; the client's verdict stays their ``ReviewSessionObjectStatus``)
CLIENT_VERDICT_SETS_STATUS = "client_verdict_sets_status"
#: seconds (a number): how long "Play all" on the review page holds a still before the next
#: item (no row, or one out of :data:`STILL_HOLD_LIMITS`: :data:`DEFAULT_STILL_HOLD`)
STILL_HOLD = "still_hold_seconds"
DEFAULT_STILL_HOLD = 5.0
STILL_HOLD_LIMITS = (0.5, 600.0)
#: nothing (watch only), the review proxy, the original files
DOWNLOADS = ("none", "proxy", "original")
