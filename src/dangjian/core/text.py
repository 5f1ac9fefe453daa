"""`Text`: a user-facing string, plain or lazily translated (`gettext_lazy`).

Labels declared at import time (menu entries, rule texts, figure labels, export headers, page
titles) are lazy so that they follow the request's language; code that joins, formats or
serializes them calls `str()` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text: TypeAlias = str | StrPromise
else:
    Text = str

__all__ = ["Text"]
