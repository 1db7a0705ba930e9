"""ft_dcc.Session: an ftrack API client on requests + attrs."""
