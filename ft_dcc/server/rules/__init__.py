"""The rules every write obeys, registered objects the batch walks (see ``rules.registry``)."""
