"""What a publish is asked: the request, its options, the studio settings' decisions, their seam."""
