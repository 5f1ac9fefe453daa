"""What the organization tree asks of the registry: merges and dissolutions."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core.actions import acting_user
from dangjian.members.choices import (
    EventKind,
    TransferStatus,
)
from dangjian.members.models import MemberEvent, Person, Transfer
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

# Organization merges move people with them ----------------------------------------------------


def move_people_on_merge(org: Organization, into: Organization) -> int:
    """Called inside orgs' merge: people of the merged organization go with it.

    Each moved person's timeline says why their organization changed; letters still open
    towards the merged organization now point at the one it joined; members of a merged
    party group join the other group when it is in their branch.
    """
    people = list(Person.objects.filter(organization=org).values_list("pk", flat=True))
    Person.objects.filter(pk__in=people).update(organization=into, updated_at=timezone.now())
    today = timezone.localdate()
    summary = gettext("所在党组织%(org)s并入%(into)s") % {"org": org.name, "into": into.name}
    actor = acting_user()
    MemberEvent.objects.bulk_create(
        MemberEvent(
            person_id=pk,
            kind=EventKind.UPDATED,
            occurred_on=today,
            summary=summary[:300],
            detail={"merged": org.pk, "into": into.pk},
            organization=into,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for pk in people
    )
    Transfer.objects.filter(status=TransferStatus.ISSUED, to_organization=org).exclude(
        from_organization=into
    ).update(to_organization=into)
    grouped = Person.objects.filter(party_group=org)
    if org.level == Level.PARTY_GROUP and into.level == Level.PARTY_GROUP:
        branch_path = into.path[: -Organization.steplen]
        grouped.filter(organization__path=branch_path).update(party_group=into)
    grouped.update(party_group=None)
    return len(people)


def people_keep_organization(org: Organization) -> str:
    """Called before an organization is dissolved: its people must be transferred first."""
    from dangjian.members.choices import ON_BOOKS as on_books

    count = Person.objects.filter(organization=org, status__in=on_books).count()
    if not count:
        return ""
    return gettext("该组织还有%(n)d名在册人员，请先办理组织关系转接或将本组织合并到其他组织。") % {
        "n": count
    }
