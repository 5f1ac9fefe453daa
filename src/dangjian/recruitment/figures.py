"""Figures of recruitment (发展党员): the flows of a period and the cases open by stage.

A flow counts the cases of the subtree (by the case's organization) whose step was done in the
period, one query each; the stock counts the cases open on the period's end date by the stage
they were in that day (one grouped query). Each drills down to the case list with the filters
that select the same cases.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.figures import FigureContext, register
from dangjian.recruitment.choices import CaseStatus, ConversionOutcome, RecordState, Stage
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.steps import LAST, step


def list_url(ctx: FigureContext, **params: Any) -> str:
    """The case list with the subtree and the given filters (`*_from` take the period)."""
    query: dict[str, Any] = {"within": ctx.organization.pk}
    for name, value in params.items():
        if name.endswith("_from"):
            query[name] = ctx.period.start.isoformat()
            query[name[:-5] + "_to"] = ctx.period.end.isoformat()
        elif value not in (None, ""):
            query[name] = value
    return f"{reverse('recruitment:list')}?{urlencode(query, doseq=True)}"


def _in_period(ctx: FigureContext, field: str) -> Q:
    return Q(**{f"{field}__gte": ctx.period.start, f"{field}__lte": ctx.period.end})


def _done(ctx: FigureContext, number: int) -> Any:
    """Done records of step `number` in the period, of cases in the subtree."""
    return StepRecord.objects.filter(
        _in_period(ctx, "occurred_on"),
        step=number,
        state=RecordState.DONE,
        case__organization__path__startswith=ctx.organization.path,
    )


def step_flow(name: str, label: Any, number: int, description: Any) -> None:
    """Register the cases whose step `number` was done in the period."""

    def compute(ctx: FigureContext) -> int:
        return int(_done(ctx, number).aggregate(n=Count("case", distinct=True))["n"])

    register(
        name,
        label=label,
        unit=_("人"),
        kind="flow",
        drilldown=lambda ctx, key: list_url(ctx, done_step=number, done_from=""),
        description=description,
    )(compute)


step_flow(
    "recruitment.applications",
    _("递交入党申请"),
    1,
    _("期间内递交入党申请书（第1步）的人数，按培养党支部统计。"),
)
step_flow(
    "recruitment.activists",
    _("确定入党积极分子"),
    3,
    _("期间内确定为入党积极分子（第3步）的人数。"),
)
step_flow(
    "recruitment.candidates",
    _("确定发展对象"),
    7,
    _("期间内确定为发展对象（第7步）的人数。"),
)
step_flow(
    "recruitment.admitted",
    _("新发展党员"),
    17,
    _("期间内经上级党委审批接收为预备党员（第17步，按审批日期）的人数。"),
)


@register(
    "recruitment.conversions",
    label=_("预备党员转正"),
    unit=_("人"),
    kind="flow",
    drilldown=lambda ctx, key: list_url(ctx, converted_from=""),
    description=_("转正日期（预备期满之日）在期间内、经上级党委批准转为正式党员的人数。"),
)
def conversions(ctx: FigureContext) -> int:
    return Case.objects.filter(
        _in_period(ctx, "converted_on"), organization__path__startswith=ctx.organization.path
    ).count()


@register(
    "recruitment.extensions",
    label=_("延长预备期"),
    unit=_("人次"),
    kind="flow",
    drilldown=lambda ctx, key: list_url(ctx, done_step=24, outcome="extended", done_from=""),
    description=_("期间内上级党委批准延长预备期（第24步审批支部大会延长预备期的决议）的人次。"),
)
def extensions(ctx: FigureContext) -> int:
    return extension_approvals(_done(ctx, 24)).count()


def extension_approvals(approvals: Any) -> Any:
    """Step-24 records that approved an extension: the approval decides the latest
    conversion vote of the case held on or before it (also the case list's filter)."""
    vote = (
        StepRecord.objects.filter(
            case=OuterRef("case"),
            step=23,
            state=RecordState.DONE,
            occurred_on__lte=OuterRef("occurred_on"),
        )
        .order_by("-occurred_on", "-pk")
        .values("pk")[:1]
    )
    extended = StepRecord.objects.filter(step=23, data__outcome=ConversionOutcome.EXTENDED)
    return approvals.annotate(vote=Subquery(vote)).filter(vote__in=extended.values("pk"))


CLOSED: dict[str, Any] = {
    CaseStatus.CANCELLED.value: CaseStatus.CANCELLED.label,
    CaseStatus.DISQUALIFIED.value: CaseStatus.DISQUALIFIED.label,
}


@register(
    "recruitment.cancelled",
    label=_("终止发展"),
    unit=_("人"),
    kind="flow",
    keys=CLOSED,
    drilldown=lambda ctx, key: list_url(ctx, status=key or "ended", closed_from=""),
    description=_(
        "期间内终止发展（撤回申请、不再符合条件、离校等）和取消预备党员资格的人数，按结束日期。"
    ),
)
def cancelled(ctx: FigureContext) -> dict[str, int]:
    rows = (
        Case.objects.filter(
            _in_period(ctx, "closed_on"),
            organization__path__startswith=ctx.organization.path,
            status__in=list(CLOSED),
        )
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {str(status): n for status, n in rows}


def _stage_after(last_done: int) -> int:
    """The stage a case is in once step `last_done` is done: the stage of the next step."""
    return int(step(min(last_done + 1, LAST)).stage)


def last_step_on(day: date) -> Subquery:
    """The highest step of a case done on or before `day` (a subquery on `Case`)."""
    return Subquery(
        StepRecord.objects.filter(case=OuterRef("pk"), state=RecordState.DONE, occurred_on__lte=day)
        .order_by("-step")
        .values("step")[:1]
    )


def stage_then() -> Choose:
    """The stage from the annotation `last_step_then` (see `last_step_on`)."""
    whens = []
    for stage in Stage.values:
        numbers = [n for n in range(1, LAST + 1) if _stage_after(n) == stage]
        whens.append(When(last_step_then__in=numbers, then=Value(stage)))
    return Choose(*whens, output_field=IntegerField())


@register(
    "recruitment.open_by_stage",
    label=_("进行中的发展档案（按阶段）"),
    unit=_("人"),
    keys={str(value): label for value, label in Stage.choices},
    drilldown=lambda ctx, key: list_url(ctx, status="open", stage=key),
    description=_(
        "截至日期已递交申请、尚未转正或终止的人员，按当日所处阶段（下一步骤所属阶段）统计。"
    ),
)
def open_by_stage(ctx: FigureContext) -> dict[str, int]:
    day = ctx.period.end
    cases = Case.objects.filter(organization__path__startswith=ctx.organization.path)
    if day >= timezone.localdate():  # today: the stored stage of the open cases
        rows = cases.filter(status=CaseStatus.OPEN).values_list("stage")
    else:
        rows = (
            cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
            .annotate(last_step_then=last_step_on(day))
            .filter(last_step_then__isnull=False)
            .annotate(stage_then=stage_then())
            .values_list("stage_then")
        )
    counts = rows.order_by().annotate(n=Count("pk"))
    return {str(stage): n for stage, n in counts if stage}
