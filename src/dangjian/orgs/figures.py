"""Figures of the organization tree: organizations by level, kind and creation flag.

Stock figures: counted as of the period's end date, so a dissolved branch still counts for the
years it existed. Each figure drills down to the organization list with the same filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.figures import FigureContext, register
from dangjian.orgs.choices import BRANCH_LEVELS, Kind, Level
from dangjian.orgs.models import Organization


def _existing(ctx: FigureContext) -> QuerySet[Organization]:
    """Organizations of the subtree that existed on the period's end date."""
    return Organization.objects.within(ctx.organization).existing_on(ctx.period.end)


def _list_url(ctx: FigureContext, **filters: str) -> str:
    query = {"within": ctx.organization.pk, "as_of": ctx.period.end.isoformat(), **filters}
    return f"{reverse('orgs:list')}?{urlencode(query)}"


def _count(ctx: FigureContext, **lookup: object) -> int:
    return _existing(ctx).filter(**lookup).count()


LEVELS = dict(Level.choices)


@register(
    "orgs.by_level",
    label=_("党组织数（按层级）"),
    unit=_("个"),
    keys=LEVELS,
    drilldown=lambda ctx, key: _list_url(ctx, **({"level": key} if key else {})),
    description=_("统计截至日期存在的党组织，含本级。"),
)
def by_level(ctx: FigureContext) -> dict[str, int]:
    rows = _existing(ctx).order_by().values_list("level").annotate(n=Count("pk"))
    return {level: n for level, n in rows}


@register(
    "orgs.total", label=_("党组织总数"), unit=_("个"), drilldown=lambda ctx, key: _list_url(ctx)
)
def total(ctx: FigureContext) -> int:
    return _count(ctx)


@register(
    "orgs.committees",
    label=_("基层党委（党总支）数"),
    unit=_("个"),
    drilldown=lambda ctx, key: _list_url(ctx, level=Level.COMMITTEE),
)
def committees(ctx: FigureContext) -> int:
    return _count(ctx, level__in=[Level.COMMITTEE, Level.GENERAL_BRANCH])


@register(
    "orgs.branches",
    label=_("党支部数"),
    unit=_("个"),
    drilldown=lambda ctx, key: _list_url(ctx, level=Level.BRANCH),
    description=_("含临时党支部。"),
)
def branches(ctx: FigureContext) -> int:
    return _count(ctx, level__in=BRANCH_LEVELS)


@register(
    "orgs.party_groups",
    label=_("党小组数"),
    unit=_("个"),
    drilldown=lambda ctx, key: _list_url(ctx, level=Level.PARTY_GROUP),
)
def party_groups(ctx: FigureContext) -> int:
    return _count(ctx, level=Level.PARTY_GROUP)


@register(
    "orgs.branches_by_kind",
    label=_("党支部数（按类型）"),
    unit=_("个"),
    keys=dict(Kind.choices),
    drilldown=lambda ctx, key: _list_url(ctx, level=Level.BRANCH, **({"kind": key} if key else {})),
)
def branches_by_kind(ctx: FigureContext) -> dict[str, int]:
    rows = (
        _existing(ctx)
        .filter(level__in=BRANCH_LEVELS)
        .exclude(kind="")
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return {kind: n for kind, n in rows}


FLAGS = {
    "model": _("样板支部"),
    "benchmark": _("标杆院系"),
    "studio": _("“双带头人”书记工作室"),
    "joint": _("联合党支部"),
}
FLAG_FIELDS = {
    "model": "is_model_branch",
    "benchmark": "is_benchmark_department",
    "studio": "is_dual_leader_studio",
    "joint": "is_joint",
}


@register(
    "orgs.creation_flags",
    label=_("示范创建与联合支部"),
    unit=_("个"),
    keys=FLAGS,
    drilldown=lambda ctx, key: _list_url(ctx, **({"flag": key} if key else {})),
)
def creation_flags(ctx: FigureContext) -> dict[str, int]:
    existing = _existing(ctx)
    return {key: existing.filter(**{field: True}).count() for key, field in FLAG_FIELDS.items()}
