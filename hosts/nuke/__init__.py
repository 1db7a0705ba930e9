"""ft_dcc adapter for Nuke."""
