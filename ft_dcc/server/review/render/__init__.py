"""The review page's HTML: Jinja2 templates, one version's player, URLs, scripts as one."""
