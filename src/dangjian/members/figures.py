"""Figures of the member registry (filled in below by the figures module of this issue)."""
