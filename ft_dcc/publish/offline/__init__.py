"""Online or offline: the connection, integrate or queue, the durable queue and its flush."""
