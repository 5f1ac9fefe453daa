"""Figures of appraisals (scaffold; filled in by its owner)."""
