"""Review-session helpers on top of ftrack's real ReviewSession entities."""
