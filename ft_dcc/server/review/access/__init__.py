"""Who a review link lets in, and as whom: tokens, links, the client gate, invitees, grants."""
