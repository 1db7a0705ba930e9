"""Studio settings: declared keys (:mod:`.keys`), documents (:mod:`.document`), layers resolved
with each value's origin (:mod:`.resolve`, read by :func:`.load.load`), stored on the ftrack
server or in a file (:mod:`.store`). See docs/settings.md.

Import from those modules. This package's own import stays empty: ``ft-dcc`` imports
``.commands`` to build its parser in every process, the server's too.
"""
