"""What one publish's plugins share: its context and instances, their data, names, reviewables."""
