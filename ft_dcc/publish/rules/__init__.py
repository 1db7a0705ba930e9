"""The rules behind the plugins: frame, rate and colour checks; the capture's range and size."""
