"""Temporary passwords handed out by the security administrator (and `dangjian bootstrap`)."""

from __future__ import annotations

import secrets

# Without look-alike characters (0/O, 1/l/I), so a password read aloud or from paper works.
LOWER = "abcdefghijkmnpqrstuvwxyz"
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"
SYMBOLS = "!@#$%*-_=+?"


def generate_password(length: int = 14) -> str:
    """A random password with every character class, so it passes the validators."""
    classes = [LOWER, UPPER, DIGITS, SYMBOLS]
    length = max(length, len(classes) * 2)
    chars = [secrets.choice(group) for group in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
