"""Member counts per organization subtree, supplied by the member registry when installed.

Until an app registers a counter, every count is 0 and the member-based structure rules are
not checked (the facts are unknown, not zero).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dangjian.orgs.models import Organization


@dataclass(frozen=True)
class MemberCount:
    total: int
    full: int


Counter = Callable[[Sequence[Organization]], dict[int, MemberCount]]
_counters: list[Counter] = []


def register_counter(counter: Counter) -> Counter:
    """Called by the member registry: counts members in each organization's subtree."""
    if counter not in _counters:
        _counters.append(counter)
    return counter


def member_counts(orgs: Sequence[Organization]) -> dict[int, MemberCount | None]:
    """{org id: subtree count}, or None per organization while no counter is registered."""
    if not _counters:
        return {org.pk: None for org in orgs}
    result: dict[int, MemberCount | None] = {}
    for counter in _counters:
        for pk, count in counter(orgs).items():
            previous = result.get(pk)
            result[pk] = (
                count
                if previous is None
                else MemberCount(previous.total + count.total, previous.full + count.full)
            )
    return {org.pk: result.get(org.pk, MemberCount(0, 0)) for org in orgs}
