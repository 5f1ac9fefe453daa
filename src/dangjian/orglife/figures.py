"""Figures of organizational life: events, lectures, person-times, hours and compliance.

Every flow counts the *held* events of the subtree (by the event's organization) whose
`held_on` lies in the period, one query each; cancelled and planned events count nowhere.
Person-times and hours sum the counts kept on the event (`actions.refresh_counts`), never
typed by hand. Each figure drills down to the event list with the filters selecting the same
events (`within`, `kind`, `status=held`, `held_from`, `held_to`, `lecture_level`, `micro`,
`late`); the compliance rate drills down to the compliance page of the period's end year.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.figures import FigureContext, register
from dangjian.orglife import compliance
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization

KINDS = dict(EventKind.choices)
LEVELS = dict(LectureLevel.choices)
THEME_STUDY = (EventKind.THEME_DAY.value, EventKind.STUDY.value)
TIMES, HOURS, EVENTS = _("人次"), _("小时"), _("次")


def events_url(ctx: FigureContext, **params: Any) -> str:
    """The event list: held events of the subtree in the period, with `params`
    (a list value repeats the name, e.g. kind=theme_day&kind=study)."""
    query: dict[str, Any] = {
        "within": ctx.organization.pk,
        "status": EventStatus.HELD.value,
        "held_from": ctx.period.start.isoformat(),
        "held_to": ctx.period.end.isoformat(),
    }
    query |= {name: value for name, value in params.items() if value not in (None, "")}
    return f"{reverse('orglife:events')}?{urlencode(query, doseq=True)}"


def held_events(ctx: FigureContext) -> QuerySet[Event]:
    """The held events of the subtree whose day lies in the period (both ends included).

    The subtree is a subquery of organization ids, not a join on the path: SQLite otherwise
    scans the period's events joining each to its organization (24 ms against 3 ms).
    """
    subtree = Organization.objects.filter(path__startswith=ctx.organization.path).values("pk")
    return Event.objects.filter(
        organization__in=subtree,
        status=EventStatus.HELD,
        held_on__gte=ctx.period.start,
        held_on__lte=ctx.period.end,
    ).order_by()


def _by_kind(ctx: FigureContext, total: Any) -> dict[str, Any]:
    rows = held_events(ctx).values_list("kind").annotate(n=total)
    return {str(kind): n for kind, n in rows if n is not None}


def _count(ctx: FigureContext, **lookup: Any) -> int:
    return int(held_events(ctx).filter(**lookup).count())


def _sum(ctx: FigureContext, column: str, **lookup: Any) -> Any:
    total = held_events(ctx).filter(**lookup).aggregate(total=Sum(column))["total"]
    if column == "person_hours":
        return total if total is not None else Decimal("0.0")
    return int(total or 0)


@register(
    "orglife.events",
    label=_("开展组织生活（按类型）"),
    unit=EVENTS,
    kind="flow",
    keys=KINDS,
    drilldown=lambda ctx, key: events_url(ctx, kind=key),
    description=_("期间内已召开的三会一课、主题党日、党课、学习研讨、谈心谈话和活动，含下级。"),
)
def events(ctx: FigureContext) -> dict[str, int]:
    return _by_kind(ctx, Count("pk"))


@register(
    "orglife.lectures",
    label=_("讲党课、微党课（按主讲人层级）"),
    unit=EVENTS,
    kind="flow",
    keys=LEVELS,
    drilldown=lambda ctx, key: events_url(ctx, kind=EventKind.LECTURE.value, lecture_level=key),
    description=_("期间内已讲授的党课（含微党课），按主讲人层级统计。"),
)
def lectures(ctx: FigureContext) -> dict[str, int]:
    rows = (
        held_events(ctx)
        .filter(kind=EventKind.LECTURE)
        .values_list("lecture_level")
        .annotate(n=Count("pk"))
    )
    return {str(level): n for level, n in rows}


def _simple(name: str, label: Any, unit: Any, description: Any, compute: Any, **drill: Any) -> None:
    """Register a plain figure whose drill-down adds `drill` to the held events of the period."""
    register(
        name,
        label=label,
        unit=unit,
        kind="flow",
        drilldown=lambda ctx, key: events_url(ctx, **drill),
        description=description,
    )(compute)


_simple(
    "orglife.micro_lectures",
    _("微党课"),
    EVENTS,
    _("期间内已讲授的微党课。"),
    lambda ctx: _count(ctx, kind=EventKind.LECTURE, is_micro=True),
    kind=EventKind.LECTURE.value,
    micro=1,
)
_simple(
    "orglife.study_sessions",
    _("集中学习研讨"),
    EVENTS,
    _("期间内已开展的集中学习研讨。"),
    lambda ctx: _count(ctx, kind=EventKind.STUDY),
    kind=EventKind.STUDY.value,
)
_simple(
    "orglife.theme_days",
    _("主题党日"),
    EVENTS,
    _("期间内已开展的主题党日活动。"),
    lambda ctx: _count(ctx, kind=EventKind.THEME_DAY),
    kind=EventKind.THEME_DAY.value,
)
_simple(
    "orglife.review_meetings",
    _("组织生活会"),
    EVENTS,
    _("期间内已召开的组织生活会。"),
    lambda ctx: _count(ctx, kind=EventKind.REVIEW_MEETING),
    kind=EventKind.REVIEW_MEETING.value,
)


@register(
    "orglife.person_times",
    label=_("参加组织生活人次（按类型）"),
    unit=TIMES,
    kind="flow",
    keys=KINDS,
    drilldown=lambda ctx, key: events_url(ctx, kind=key),
    description=_("期间内已召开活动的出席人数与列席（来宾）人数之和，按活动类型统计。"),
)
def person_times(ctx: FigureContext) -> dict[str, int]:
    return _by_kind(ctx, Sum("person_times"))


@register(
    "orglife.theme_study_person_times",
    label=_("主题党日和集中学习研讨参加人次"),
    unit=TIMES,
    kind="flow",
    keys={kind: KINDS[kind] for kind in THEME_STUDY},
    drilldown=lambda ctx, key: events_url(ctx, kind=key or list(THEME_STUDY)),
    description=_("期间内主题党日和集中学习研讨的参加人次之和。"),
)
def theme_study_person_times(ctx: FigureContext) -> dict[str, int]:
    rows = (
        held_events(ctx)
        .filter(kind__in=THEME_STUDY)
        .values_list("kind")
        .annotate(n=Sum("person_times"))
    )
    return {str(kind): int(n or 0) for kind, n in rows}


_simple(
    "orglife.volunteer_person_times",
    _("志愿服务参加人次"),
    TIMES,
    _("期间内志愿服务活动的参加人次。"),
    lambda ctx: _sum(ctx, "person_times", kind=EventKind.VOLUNTEER),
    kind=EventKind.VOLUNTEER.value,
)
_simple(
    "orglife.volunteer_hours",
    _("志愿服务时长"),
    HOURS,
    _("期间内志愿服务活动每位参加者时长之和。"),
    lambda ctx: _sum(ctx, "person_hours", kind=EventKind.VOLUNTEER),
    kind=EventKind.VOLUNTEER.value,
)
_simple(
    "orglife.practice_person_times",
    _("社会实践参加人次"),
    TIMES,
    _("期间内社会实践活动的参加人次。"),
    lambda ctx: _sum(ctx, "person_times", kind=EventKind.SOCIAL_PRACTICE),
    kind=EventKind.SOCIAL_PRACTICE.value,
)
_simple(
    "orglife.practice_hours",
    _("社会实践时长"),
    HOURS,
    _("期间内社会实践活动每位参加者时长之和。"),
    lambda ctx: _sum(ctx, "person_hours", kind=EventKind.SOCIAL_PRACTICE),
    kind=EventKind.SOCIAL_PRACTICE.value,
)


def compliance_url(ctx: FigureContext) -> str:
    query = {"within": ctx.organization.pk, "year": ctx.period.end.year}
    return f"{reverse('orglife:compliance')}?{urlencode(query)}"


@register(
    "orglife.compliance_rate",
    label=_("组织生活落实率"),
    unit="%",
    kind="flow",
    drilldown=lambda ctx, key: compliance_url(ctx),
    description=_(
        "期间内已结束的必开事项周期中按时开展的比例（已开展 ÷（已开展 + 未开展））；"
        "尚在进行的周期不计入，没有可判断的周期时不显示。"
    ),
)
def compliance_rate(ctx: FigureContext) -> float | None:
    held, missed = compliance.rate(
        ctx.organization, ctx.period.start, ctx.period.end, timezone.localdate()
    )
    return round(100 * held / (held + missed), 1) if held + missed else None


_simple(
    "orglife.late_entries",
    _("逾期补录"),
    EVENTS,
    _("期间内召开、超过登记时限后补录（已填写补录理由）的活动。"),
    lambda ctx: _count(ctx, is_late=True),
    late=1,
)
