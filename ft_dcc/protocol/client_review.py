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
#: nothing (watch only), the review proxy, the original files
DOWNLOADS = ("none", "proxy", "original")
