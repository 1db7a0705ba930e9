"""HTTP plumbing shared by every route room: API keys, bodies, limits, replies, the request log."""
