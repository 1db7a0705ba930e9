"""Who is asking, decided once per request, and what that kind of person may see.

This room is the seam the sign-in layer and the review audiences share:

- :mod:`.model`: :class:`~.model.Identity`, the one identity of a request (a studio user by API
  key or sign-in cookie, an invited client or a room guest by link, a signed URL's narrow
  purpose, or anonymous), and the :class:`~.model.Audience` it belongs to;
- :mod:`.audience`: what each audience may see of the studio's inside (internal statuses, the
  studio's people, version comments, internal notes, other clients): the table the page, every
  JSON route, live events, exports and watermark text hold to, and that the documents state.

The authentication layer resolves the identity before any route runs; routes ask the policy,
never a credential.
"""
