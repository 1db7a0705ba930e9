"""The hosts ft_dcc publishes from (a profile's ``hosts``, ``settings show --host``); stdlib only:
``ft-dcc`` builds its parser from it in every process."""

HOSTS = ("files", "blender", "maya", "nuke")
