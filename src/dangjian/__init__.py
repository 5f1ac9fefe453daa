"""Dangjian (党建): the party-building work platform for Chinese universities."""

__version__ = "0.1.0"
