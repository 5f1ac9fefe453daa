"""Daily reminders of the member registry: lost contact and floating beyond the limits (§7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse

from dangjian.core import rules
from dangjian.core.reminders import Reminder, register
from dangjian.members import rules as member_rules
from dangjian.members.actions import responsible_users
from dangjian.members.choices import Status
from dangjian.members.models import Person


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@register
def lost_contact_due(day: date) -> Iterator[Reminder]:
    """Members out of contact for the rule's months who still have normal standing."""
    state = rules.get(member_rules.LOST_CONTACT_MONTHS.code)
    if not state.enabled:
        return
    limit = _add_months(day, int(state.value))
    people = Person.objects.members().filter(
        status=Status.NORMAL, lost_contact=True, lost_contact_since__lte=limit
    ).select_related("organization")
    for person in people.iterator():
        months = member_rules.months_between(person.lost_contact_since, day)
        recipients = tuple(responsible_users(person.organization))
        if recipients:
            yield Reminder(
                key=f"members.lost_contact:{person.pk}",
                recipients=recipients,
                title=f"{person.name}失去联系已{months}个月",
                body=state.message(months=months),
                url=reverse("members:detail", args=[person.pk]),
            )


@register
def floating_too_long(day: date) -> Iterator[Reminder]:
    """Floating members away beyond the rule's months: the relationship should move."""
    state = rules.get(member_rules.FLOATING_TRANSFER_MONTHS.code)
    if not state.enabled:
        return
    limit = _add_months(day, int(state.value))
    people = Person.objects.members().filter(
        is_floating=True, floating_from__lte=limit
    ).select_related("organization")
    for person in people.iterator():
        months = member_rules.months_between(person.floating_from, day)
        recipients = tuple(responsible_users(person.organization))
        if recipients:
            yield Reminder(
                key=f"members.floating:{person.pk}",
                recipients=recipients,
                title=f"{person.name}外出流动已{months}个月",
                body=state.message(months=months),
                url=reverse("members:detail", args=[person.pk]),
            )
