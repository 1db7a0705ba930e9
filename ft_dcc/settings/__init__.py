"""Studio settings: declared keys (:mod:`.keys`), documents (:mod:`.document`), layers resolved
with each value's origin (:mod:`.resolve`), stored on the ftrack server or in a file
(:mod:`.store`). See docs/settings.md."""

from ft_dcc.settings.document import Document, Profile, parse, read_file
from ft_dcc.settings.keys import KEYS, Key, key_named
from ft_dcc.settings.load import load
from ft_dcc.settings.resolve import Filters, Resolved, Source, resolve

__all__ = [
    "KEYS", "Document", "Filters", "Key", "Profile", "Resolved", "Source", "key_named", "load",
    "parse", "read_file", "resolve",
]  # fmt: skip
