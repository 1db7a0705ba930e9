"""The review page's media: download policy, watermarked copies, watch-only ranged replies."""
