"""ft_dcc adapter for Maya."""
