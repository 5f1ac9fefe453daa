"""The member counter the organization tree uses for its size rules and tree badges."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q

from dangjian.members.choices import Category
from dangjian.members.models import Person
from dangjian.orgs.counts import MemberCount, register_counter
from dangjian.orgs.models import Organization


@register_counter
def count_members(orgs: Sequence[Organization]) -> dict[int, MemberCount]:
    """Members (probationary and full, on the books) in each organization's subtree.

    One grouped query over the organizations that hold people, folded up the paths in Python:
    O(1) queries however many organizations are asked about.
    """
    if not orgs:
        return {}
    paths = sorted({org.path for org in orgs})
    condition = Q()
    for path in paths:
        condition |= Q(organization__path__startswith=path)
    rows = (
        Person.objects.members()
        .filter(condition)
        .order_by()
        .values("organization__path")
        .annotate(total=Count("pk"), full=Count("pk", filter=Q(category=Category.FULL)))
    )
    by_path = {org.path: org.pk for org in orgs}
    totals: dict[int, list[int]] = {org.pk: [0, 0] for org in orgs}
    step = Organization.steplen
    for row in rows:
        path = row["organization__path"]
        for end in range(step, len(path) + 1, step):
            pk = by_path.get(path[:end])
            if pk is not None:
                totals[pk][0] += row["total"]
                totals[pk][1] += row["full"]
    return {pk: MemberCount(total, full) for pk, (total, full) in totals.items()}
