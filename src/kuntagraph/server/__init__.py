"""The HTTP layer: thin over the store and the Python API."""
