"""What the review page reads: a session's views and skeleton, and what one reader sees."""
