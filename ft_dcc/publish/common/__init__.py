"""What every room of the publish shares: safe writes, the manifest, a queue entry, the report."""
