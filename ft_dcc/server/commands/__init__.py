"""``ft-dcc server`` and ``ft-dcc user``: run the embedded server (:mod:`.serve`), manage its
API users (:mod:`.users`), sharing the options and configuration of :mod:`.options`.

Only the standard library is imported by these modules; the server extra is loaded inside the
handlers.
"""
