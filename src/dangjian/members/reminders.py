"""Daily reminders of the member registry: lost contact and floating beyond the limits (§7).

Each source yields one reminder per person a day to the people who handle the person's
organization (its branch secretaries, else the committee staff); `core.reminders.run` sends a
reminder key at most once a day. A rule switched off on the rules page sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from dangjian.core import rules
from dangjian.core.reminders import Reminder, register
from dangjian.members import rules as member_rules
from dangjian.members.actions import responsible_users
from dangjian.members.choices import Status
from dangjian.members.models import Person, PersonQuerySet

# Month ends make "n months ago" a range of days (31 Aug and 29 Feb are both 6 months before
# 29 Feb): the query takes a few days more and the exact month count decides.
_MARGIN = timedelta(days=3)


def _due(
    day: date, code: str, people: PersonQuerySet, since_field: str
) -> Iterator[tuple[Person, int, rules.RuleState, tuple[Any, ...]]]:
    """People whose `since_field` lies at least the rule's months before `day`, with the
    users to remind (looked up once per organization)."""
    state = rules.get(code)
    if not state.enabled:
        return
    limit = int(state.value)
    latest = member_rules.add_months(day, -limit) + _MARGIN
    candidates = people.filter(**{f"{since_field}__lte": latest}).select_related("organization")
    recipients: dict[int, tuple[Any, ...]] = {}
    for person in candidates.iterator():
        months = member_rules.months_between(getattr(person, since_field), day)
        if months < limit:
            continue
        if person.organization_id not in recipients:
            recipients[person.organization_id] = tuple(responsible_users(person.organization))
        if recipients[person.organization_id]:
            yield person, months, state, recipients[person.organization_id]


@register
def lost_contact_due(day: date) -> Iterator[Reminder]:
    """Members out of contact for the rule's months who still have normal standing."""
    people = Person.objects.members().filter(status=Status.NORMAL, lost_contact=True)
    for person, months, state, recipients in _due(
        day, member_rules.LOST_CONTACT_MONTHS.code, people, "lost_contact_since"
    ):
        yield Reminder(
            key=f"members.lost_contact:{person.pk}",
            recipients=recipients,
            title=gettext("%(name)s失去联系已%(months)d个月")
            % {"name": person.name, "months": months},
            body=state.message(months=months),
            url=reverse("members:detail", args=[person.pk]),
        )


@register
def floating_too_long(day: date) -> Iterator[Reminder]:
    """Floating members away beyond the rule's months: the relationship should move."""
    people = Person.objects.members().filter(is_floating=True)
    for person, months, state, recipients in _due(
        day, member_rules.FLOATING_TRANSFER_MONTHS.code, people, "floating_from"
    ):
        yield Reminder(
            key=f"members.floating:{person.pk}",
            recipients=recipients,
            title=gettext("%(name)s外出流动已%(months)d个月")
            % {"name": person.name, "months": months},
            body=state.message(months=months),
            url=reverse("members:detail", args=[person.pk]),
        )
