"""Limits shared by every server process: attempts per key (:mod:`.limiter`) and open
connections (:mod:`.open_caps`)."""
