"""The review page's routes and their shared helpers: the page, the room, the passphrase."""
