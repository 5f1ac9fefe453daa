"""Web pages of organizational life, a module per topic, each listing its URL patterns."""
