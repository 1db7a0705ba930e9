"""Running ``/api`` data batches in one transaction: the store, the batch, defaults, changes."""
