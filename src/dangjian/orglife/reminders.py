"""Daily reminders to branch secretaries: required items due before their period ends, and
last month's summary not yet submitted (one message a day each, through core.reminders)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.utils.translation import gettext

from dangjian.core import reminders, rules
from dangjian.members.actions.common import responsible_users
from dangjian.orglife.choices import PeriodState, SummaryStatus
from dangjian.orglife.compliance import year_of
from dangjian.orglife.models import MonthlySummary
from dangjian.orgs.models import Organization


def due_items(day: date) -> Iterator[reminders.Reminder]:
    """Required items not yet held whose period ends within orglife.reminder_days."""
    lead = int(rules.value("orglife.reminder_days"))
    for root in Organization.objects.filter(depth=1):
        for row in year_of(root, day.year, day):
            due = [
                slot
                for slots in row.slots.values()
                for slot in slots
                if slot.state == PeriodState.DUE and 0 <= (slot.end - day).days <= lead
            ]
            if not due:
                continue
            items = "、".join(slot.label for slot in due)
            yield reminders.Reminder(
                key=f"orglife.due:{row.branch.pk}:{due[0].end.isoformat()}",
                recipients=tuple(responsible_users(row.branch)),
                title=gettext("%(org)s尚未开展：%(items)s")
                % {"org": row.branch.name, "items": items},
                body=gettext("请在%(end)s前开展并登记。") % {"end": due[0].end.isoformat()},
                url=f"/orglife/compliance/{row.branch.pk}/?year={day.year}",
            )


def summaries_due(day: date) -> Iterator[reminders.Reminder]:
    """From the 1st to the due day, branches whose last month's summary is not submitted."""
    due_day = int(rules.value("orglife.summary_due_day"))
    if day.day > due_day:
        return
    last_month = day.replace(day=1).toordinal() - 1
    first = date.fromordinal(last_month).replace(day=1)
    done = set(
        MonthlySummary.objects.filter(
            month=first, status__in=[SummaryStatus.SUBMITTED, SummaryStatus.APPROVED]
        ).values_list("organization_id", flat=True)
    )
    for root in Organization.objects.filter(depth=1):
        for row in year_of(root, first.year, day):
            if row.branch.pk in done or not row.branch.is_active:
                continue
            yield reminders.Reminder(
                key=f"orglife.summary:{row.branch.pk}:{first.isoformat()}",
                recipients=tuple(responsible_users(row.branch)),
                title=gettext("请报送%(month)s组织生活月报") % {"month": first.strftime("%Y-%m")},
                body=gettext("截止日期：%(day)d日。") % {"day": due_day},
                url="/orglife/summaries/",
            )


reminders.register(due_items)
reminders.register(summaries_due)
