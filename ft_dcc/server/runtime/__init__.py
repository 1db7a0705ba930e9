"""One server process: its configuration, its parts (store, keys, files, hub) and first start."""
