"""ft_dcc's pyblish plugins, one job each; pyblish loads every ``*.py`` here that does not start
with ``_`` (``ft_dcc.publish`` registers this folder with ``pyblish.api.register_plugin_path``).

Each file is executed by pyblish as a fresh module, so plugins import ``ft_dcc`` absolutely and
keep their logic small; shared state is ``context.data["ft_dcc"]``
(:class:`ft_dcc.publish.state.PublishState`).
"""
