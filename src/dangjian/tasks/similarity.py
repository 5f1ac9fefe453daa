"""Text similarity of problems, to flag a new problem like one closed in an earlier year.

Problems are short Chinese sentences: word tokenizers are not at hand offline, so the measure
is the Dice coefficient of character bigrams over the text without punctuation and spaces
(two texts sharing most two-character words score high whatever their order).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no punctuation or spaces."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


def bigrams(text: str) -> Counter[str]:
    plain = normalize(text)
    if len(plain) < 2:
        return Counter([plain]) if plain else Counter()
    return Counter(plain[i : i + 2] for i in range(len(plain) - 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams, 0 (nothing shared) to 1 (the same text)."""
    first, second = bigrams(a), bigrams(b)
    total = sum(first.values()) + sum(second.values())
    if not total:
        return 0.0
    return 2 * sum((first & second).values()) / total
