"""Figures of appraisals: campaigns, subjects appraised, turnout and grade distributions.

A campaign belongs to a period by the day its voting closed (`closes_at`, local time, both ends
of the period included) and to a subtree by its organization. The campaign count takes every
phase (as the campaign list does without a phase filter); everything else counts campaigns
that reached COUNTED or later, as the cross-campaign subject list (`appraisals:appraised`)
does, so a figure and its drill-down show the same records. One query per figure. Shares are
percentages with two decimals (`counting.share`), None when there is nothing to divide.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.choices import (
    RESULT_PHASES,
    CampaignKind,
    QuestionKind,
    Scale,
    options,
)
from dangjian.appraisals.counting import share
from dangjian.appraisals.models import Campaign, Subject, Tally
from dangjian.core.figures import FigureContext, register
from dangjian.orgs.models import Organization

KINDS = dict(CampaignKind.choices)
MEMBER_GRADES = dict(options(Scale.APPRAISAL))
REVIEW_GRADES = dict(options(Scale.REVIEW))
REVIEW_KINDS = (CampaignKind.SECRETARY_REVIEW.value, CampaignKind.DUAL_REVIEW.value)
GOOD = options(Scale.REVIEW)[0][0]
RESULTS = [str(phase) for phase in RESULT_PHASES]
CAMPAIGNS, PEOPLE, TIMES = _("个"), _("人"), _("人次")


def _query(ctx: FigureContext, **params: Any) -> dict[str, Any]:
    query: dict[str, Any] = {
        "within": ctx.organization.pk,
        "closes_from": ctx.period.start.isoformat(),
        "closes_to": ctx.period.end.isoformat(),
    }
    return query | {name: value for name, value in params.items() if value not in (None, "")}


def campaigns_url(ctx: FigureContext, **params: Any) -> str:
    """The campaign list: campaigns of the subtree closing in the period, with `params`."""
    return f"{reverse('appraisals:campaigns')}?{urlencode(_query(ctx, **params), doseq=True)}"


def appraised_url(ctx: FigureContext, **params: Any) -> str:
    """The cross-campaign subject list (counted-or-later campaigns only), with `params`
    (a list value repeats the name: kind=secretary_review&kind=dual_review)."""
    return f"{reverse('appraisals:appraised')}?{urlencode(_query(ctx, **params), doseq=True)}"


def _bounds(ctx: FigureContext) -> tuple[datetime, datetime]:
    """The period as [first local midnight, midnight after the last day): keeps the index on
    (kind, closes_at) usable, where a `__date` lookup would convert every row."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(ctx.period.start, time.min), zone)
    end = timezone.make_aware(datetime.combine(ctx.period.end + timedelta(days=1), time.min), zone)
    return start, end


def closing_campaigns(ctx: FigureContext) -> QuerySet[Campaign]:
    """Campaigns of the subtree (any phase) whose voting closed within the period."""
    subtree = Organization.objects.filter(path__startswith=ctx.organization.path).values("pk")
    start, end = _bounds(ctx)
    return Campaign.objects.filter(
        organization__in=subtree, closes_at__gte=start, closes_at__lt=end
    ).order_by()


def counted_campaigns(ctx: FigureContext) -> QuerySet[Campaign]:
    """Those of them that have results (counted, decided or published)."""
    return closing_campaigns(ctx).filter(phase__in=RESULTS)


def appraised(ctx: FigureContext, *kinds: str) -> QuerySet[Subject]:
    """Subjects of counted-or-later campaigns of the subtree and period (of `kinds`)."""
    campaigns = counted_campaigns(ctx)
    if kinds:
        campaigns = campaigns.filter(kind__in=kinds)
    return Subject.objects.filter(campaign__in=campaigns.values("pk")).order_by()


@register(
    "appraisals.campaigns",
    label=_("开展评议测评（按类型）"),
    unit=CAMPAIGNS,
    kind="flow",
    keys=KINDS,
    drilldown=lambda ctx, key: campaigns_url(ctx, kind=key),
    description=_("投票截止时间在期间内的评议、述职评议、测评和民主推荐，含下级，不论所处阶段。"),
)
def campaigns(ctx: FigureContext) -> dict[str, int]:
    rows = closing_campaigns(ctx).values_list("kind").annotate(n=Count("pk"))
    return {str(kind): n for kind, n in rows}


def _subjects(name: str, label: Any, description: Any, kind: str) -> None:
    """Register the count of subjects of one kind of campaign (drilling to the subject list)."""
    register(
        name,
        label=label,
        unit=PEOPLE,
        kind="flow",
        drilldown=lambda ctx, key: appraised_url(ctx, kind=kind),
        description=description,
    )(lambda ctx: appraised(ctx, kind).count())


_subjects(
    "appraisals.members_appraised",
    _("参加民主评议党员"),
    _("期间内已计票的民主评议党员中的评议对象（含不评定等次的预备党员）。"),
    CampaignKind.MEMBER_APPRAISAL.value,
)
_subjects(
    "appraisals.branch_secretaries_reviewed",
    _("支部书记“双述双评”"),
    _("期间内已计票的支部书记“双述双评”中的评议对象。"),
    CampaignKind.DUAL_REVIEW.value,
)
_subjects(
    "appraisals.committee_secretaries_reviewed",
    _("党组织书记抓党建述职评议考核"),
    _("期间内已计票的党组织书记抓党建述职评议考核中的评议对象。"),
    CampaignKind.SECRETARY_REVIEW.value,
)


@register(
    "appraisals.subjects",
    label=_("评议测评对象（按类型）"),
    unit=TIMES,
    kind="flow",
    keys=KINDS,
    drilldown=lambda ctx, key: appraised_url(ctx, kind=key),
    description=_("期间内已计票的各类评议测评的评议对象人次（领导班子、党组织各计一次）。"),
)
def subjects(ctx: FigureContext) -> dict[str, int]:
    rows = appraised(ctx).values_list("campaign__kind").annotate(n=Count("pk"))
    return {str(kind): n for kind, n in rows}


@register(
    "appraisals.turnout",
    label=_("评议测评参评率"),
    unit="%",
    kind="flow",
    drilldown=lambda ctx, key: campaigns_url(ctx),
    description=_(
        "期间内已计票的评议测评中有效票数之和 ÷ 应投票人数之和；没有已计票的测评时不显示。"
    ),
)
def turnout(ctx: FigureContext) -> Decimal | None:
    sums = counted_campaigns(ctx).aggregate(voted=Sum("ballot_count"), due=Sum("eligible_count"))
    return share(sums["voted"] or 0, sums["due"] or 0)


def _grades(ctx: FigureContext, kinds: tuple[str, ...], codes: dict[str, Any]) -> dict[str, int]:
    rows = (
        appraised(ctx, *kinds)
        .filter(final_grade__in=list(codes))
        .values_list("final_grade")
        .annotate(n=Count("pk"))
    )
    return {str(grade): n for grade, n in rows}


@register(
    "appraisals.member_grades",
    label=_("民主评议党员评定等次"),
    unit=PEOPLE,
    kind="flow",
    keys=MEMBER_GRADES,
    drilldown=lambda ctx, key: appraised_url(
        ctx,
        kind=CampaignKind.MEMBER_APPRAISAL.value,
        final_grade=key,
        graded=None if key else "true",
    ),
    description=_("期间内民主评议党员确定的等次；预备党员和尚未确定等次的不计入。"),
)
def member_grades(ctx: FigureContext) -> dict[str, int]:
    return _grades(ctx, (CampaignKind.MEMBER_APPRAISAL.value,), MEMBER_GRADES)


@register(
    "appraisals.review_grades",
    label=_("书记述职评议评定等次"),
    unit=PEOPLE,
    kind="flow",
    keys=REVIEW_GRADES,
    drilldown=lambda ctx, key: appraised_url(
        ctx, kind=list(REVIEW_KINDS), final_grade=key, graded=None if key else "true"
    ),
    description=_(
        "期间内党组织书记抓党建述职评议考核和支部书记“双述双评”确定的等次；尚未确定的不计入。"
    ),
)
def review_grades(ctx: FigureContext) -> dict[str, int]:
    return _grades(ctx, REVIEW_KINDS, REVIEW_GRADES)


@register(
    "appraisals.good_share",
    label=_("满意度测评“好”的比例"),
    unit="%",
    kind="flow",
    drilldown=lambda ctx, key: campaigns_url(ctx, kind=CampaignKind.SATISFACTION.value),
    description=_(
        "期间内已计票的满意度测评中，各等次评价题全部评价里评为“好”的比例；没有评价时不显示。"
    ),
)
def good_share(ctx: FigureContext) -> Decimal | None:
    tallies = Tally.objects.filter(
        campaign__in=counted_campaigns(ctx).filter(kind=CampaignKind.SATISFACTION).values("pk"),
        question__kind=QuestionKind.GRADE,
        question__scale=Scale.REVIEW,
    ).exclude(option="")
    sums = tallies.aggregate(good=Sum("count", filter=Q(option=GOOD)), total=Sum("count"))
    return share(sums["good"] or 0, sums["total"] or 0)
