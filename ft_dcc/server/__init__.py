"""The embedded ftrack-compatible server (install the ``server`` extra)."""
