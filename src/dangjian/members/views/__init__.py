"""Pages of the member registry, one module per topic (see urls.py)."""
