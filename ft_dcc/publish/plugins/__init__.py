"""ft_dcc's pyblish plugins, one job each; pyblish loads every ``*.py`` here that does not start
with ``_`` (``ft_dcc.publish`` registers this folder with ``pyblish.api.register_plugin_path``).

Each file is executed by pyblish as a fresh module, so plugins import ``ft_dcc`` absolutely and
keep their logic small. One publish is one pyblish ``Context`` (its fixed
:class:`~ft_dcc.publish.shared.state.PublishContext` and what the context plugins find, each written
once) with one ``Instance`` per reviewable (its :class:`~ft_dcc.publish.shared.state.ReviewItem`):
``ft_dcc.publish.shared.state``.
"""
