"""Test support shared by every app: the demo-shaped tree, personas, the permission matrix."""
