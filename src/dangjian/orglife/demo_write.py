"""Writing the demo's year (`orglife.demo`): plain rows in bulk, and monthly summaries
whose figures are those `summaries.month_figures` computes, from the events in memory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from dangjian.orglife.choices import EventKind, EventStatus, PeriodState, SummaryStatus
from dangjian.orglife.compliance import year_of
from dangjian.orglife.demo_text import RETURN_REASONS, SUMMARY_TEXT
from dangjian.orglife.models import Event, MonthlySummary
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization
from dangjian.recruitment.demo import row

if TYPE_CHECKING:
    from dangjian.orglife.demo import Year


def _converters(model: Any, columns: list[str]) -> list[tuple[int, Any]]:
    """(column index, conversion) for the values SQLite's executemany cannot take as they are
    (aware datetimes, dates, decimals); psycopg's COPY adapts every type by itself."""
    result: list[tuple[int, Any]] = []
    for index, name in enumerate(columns):
        field = model._meta.get_field(name.removesuffix("_id"))
        if isinstance(field, models.DateTimeField):
            result.append((index, connection.ops.adapt_datetimefield_value))
        elif isinstance(field, models.DateField):
            result.append((index, date.isoformat))
        elif isinstance(field, models.DecimalField):
            result.append((index, str))
    return result


def insert_rows(model: Any, columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows: COPY on PostgreSQL, executemany elsewhere. bulk_create spends its
    time compiling each value, and a university's year has ~200,000 attendance lines."""
    if not rows:
        return
    ops, postgres = connection.ops, connection.vendor == "postgresql"
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for line in rows:
                    copy.write_row(line)
        else:
            marks = ", ".join(["%s"] * len(columns))
            converters = _converters(model, columns)
            adapted = []
            for line in rows:
                values = list(line)
                for index, convert in converters:
                    if values[index] is not None:
                        values[index] = convert(values[index])
                adapted.append(values)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", adapted)


def insert_events(events: list[Event]) -> None:
    """Insert the events with keys numbered here (the demo writes nothing else meanwhile),
    so their attendance lines can name them."""
    first = (Event.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    now = timezone.now()
    fields = list(Event._meta.concrete_fields)
    rows = []
    for offset, event in enumerate(events):
        event.pk = first + offset
        event.created_at = event.updated_at = now
        rows.append(tuple(getattr(event, f.attname) for f in fields))
    insert_rows(Event, [f.attname for f in fields], rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Event]):
                cursor.execute(sql)


def summaries(drawn: Year) -> list[MonthlySummary]:
    """Each branch's reports of the months that are over: most approved, some waiting,
    a few returned; last month's partly not yet written (the due day has not passed)."""
    r, today = drawn.rng, drawn.today
    current = today.replace(day=1)
    stats: dict[tuple[int, date], dict[str, Any]] = {}
    for event in drawn.events:
        if event.status != EventStatus.HELD:
            continue
        key = (event.organization_id, event.held_on.replace(day=1))
        entry = stats.setdefault(key, {"events": dict.fromkeys(EventKind.values, 0),
                                       "total": 0, "person_times": 0})  # fmt: skip
        entry["events"][event.kind] += 1
        entry["total"] += 1
        entry["person_times"] += event.person_times
    unheld = missed(drawn)
    parents = reviewers(drawn)
    result = []
    for b in drawn.branches:
        for first in drawn.months():
            if first >= current:
                break
            last_month = (current - timedelta(days=1)).replace(day=1) == first
            if last_month and r.random() < 0.35:
                continue  # not written yet
            figures = stats.get((b.org.pk, first)) or {
                "events": dict.fromkeys(EventKind.values, 0), "total": 0, "person_times": 0}  # fmt: skip
            figures = {**figures, "missed": unheld.get((b.org.pk, first), [])}
            submitted = timezone.make_aware(
                datetime.combine(first + timedelta(days=r.randint(32, 40)), datetime.min.time())
            ).replace(hour=r.randint(9, 17))
            submitted = min(submitted, timezone.now() - timedelta(hours=2))
            item = row(MonthlySummary, organization_id=b.org.pk, month=first, figures=figures,
                       text=r.choice(SUMMARY_TEXT).format(month=first.month, **figures),
                       reviewer_id=parents.get(b.org.pk), submitted_at=submitted,
                       status=SummaryStatus.APPROVED)  # fmt: skip
            draw = r.random()
            if last_month and draw < 0.3:
                item.status, item.submitted_at = SummaryStatus.DRAFT, None
                item.reviewer_id = None
            elif last_month or draw < 0.04:
                item.status = SummaryStatus.SUBMITTED
            elif draw < 0.07:
                item.status, item.return_reason = (
                    SummaryStatus.RETURNED,
                    r.choice(RETURN_REASONS),
                )
            if item.status in (SummaryStatus.APPROVED, SummaryStatus.RETURNED):
                decided = submitted + timedelta(days=r.randint(1, 6))
                item.decided_at = min(decided, timezone.now() - timedelta(hours=1))
            result.append(item)
    return result


def reviewers(drawn: Year) -> dict[int, int | None]:
    """Each branch's superior committee (`Organization.superior_committee`), from paths."""
    deciding = dict(
        Organization.objects.filter(
            path__startswith=drawn.root.path,
            level__in=(Level.COMMITTEE, Level.UNIVERSITY_COMMITTEE),
        ).values_list("path", "pk")
    )
    result: dict[int, int | None] = {}
    for b in drawn.branches:
        path = b.org.path[: -Organization.steplen]
        while path and path not in deciding:
            path = path[: -Organization.steplen]
        result[b.org.pk] = deciding.get(path, deciding.get(drawn.root.path))
    return result


def missed(drawn: Year) -> dict[tuple[int, date], list[str]]:
    """(branch, month) → the required items whose period ended that month unheld."""
    result: dict[tuple[int, date], list[str]] = defaultdict(list)
    for year in range(drawn.start.year, drawn.today.year + 1):
        for branch_year in year_of(drawn.root, year, drawn.today):
            for slots in branch_year.slots.values():
                for slot in slots:
                    if slot.state == PeriodState.MISSED:
                        key = (branch_year.branch.pk, slot.end.replace(day=1))
                        result[key].append(slot.label)
    return result
