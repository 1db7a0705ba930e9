"""ft_dcc adapter for Blender."""
