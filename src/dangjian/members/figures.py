"""Figures of the member registry (domain.md §8): members by category, kind, gender, age …

Stock figures count the people on the books on the period's end date, in the category and the
organization of that day (`members.asof`). For today no transfer lies ahead, so a figure is one
grouped query; for a past day the few people moved since are counted apart (three queries).
Flow figures count what happened during the period.

Every figure drills down to the member list (`members:list`) with the PersonFilter parameters
that select the same records, so a number and the list behind it share one definition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.figures import FigureContext, register
from dangjian.members.asof import (
    Place,
    cadre_q,
    category_q,
    floating_q,
    lost_contact_q,
    members_on,
    moves_after,
    people_on,
    suspended_q,
)
from dangjian.members.choices import (
    AGE_BANDS,
    STUDENT_POSTS,
    CadreRank,
    Category,
    Education,
    Ethnicity,
    Gender,
    Post,
    Status,
    TransferStatus,
)
from dangjian.members.filters import birth_range, crossing
from dangjian.members.models import Person, Transfer
from dangjian.orgs.choices import Kind

CHUNK = 5000  # ids per IN list (SQLite's parameter limit)
FIRST_JOIN_YEAR = 1940
MINORITY_EXCLUDED = (Ethnicity.HAN, Ethnicity.OTHER)  # as the list's "少数民族" filter


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _grouped(queryset: QuerySet[Person], key: Any) -> Counter[str]:
    rows = queryset.order_by().annotate(key=key).values_list("key").annotate(n=Count("pk"))
    return Counter({k: n for k, n in rows if k is not None})


def tally(
    ctx: FigureContext,
    queryset: QuerySet[Person],
    key: Any = None,
    *,
    moved_key: Callable[[Place], str] | None = None,
) -> Counter[str]:
    """Counts of `queryset` in the context's subtree on its end date, by the expression `key`
    (all under "" without a key). `moved_key` gives the key of a moved person from where they
    were (for keys that depend on the organization)."""
    org, day = ctx.organization, ctx.period.end
    expression = key if key is not None else Value("")
    moves = moves_after(day, org)
    here = queryset.filter(organization__path__startswith=org.path)
    if moves.touching is None:
        return _grouped(here, expression)
    counts = _grouped(here.exclude(pk__in=moves.touching), expression)
    for chunk in _chunks(moves.ids_within(org.path)):
        moved = queryset.filter(pk__in=chunk)
        if moved_key is None:
            counts.update(_grouped(moved, expression))
        else:
            counts.update(moved_key(moves.places[pk]) for pk in moved.values_list("pk", flat=True))
    return counts


def _total(counts: Counter[str]) -> int:
    return sum(counts.values())


# Drill-downs -------------------------------------------------------------------------------


def list_url(ctx: FigureContext, *, members: bool = True, **params: Any) -> str:
    """The member list with the figure's filters: subtree, as-of date, members, the key."""
    query: dict[str, Any] = {"within": ctx.organization.pk, "as_of": ctx.period.end.isoformat()}
    if members:
        query["category"] = "members"
    query.update({name: value for name, value in params.items() if value not in (None, "")})
    return f"{reverse('members:list')}?{urlencode(query)}"


def _by(param: str, *, members: bool = True) -> Callable[[FigureContext, str | None], str]:
    """Drill-down of a breakdown whose keys are values of one list filter."""
    return lambda ctx, key: list_url(ctx, members=members, **({param: key} if key else {}))


def _fixed(**params: Any) -> Callable[[FigureContext, str | None], str]:
    return lambda ctx, key: list_url(ctx, **params)


def _member_tally(ctx: FigureContext, key: Any = None) -> Counter[str]:
    return tally(ctx, members_on(ctx.period.end), key)


# Headline counts and basic data ------------------------------------------------------------


def member_count(
    name: str, label: Any, where: Callable[[date], Q], drill: dict[str, str], description: Any = ""
) -> None:
    """Register a count of the members meeting a condition on the day."""

    def compute(ctx: FigureContext) -> int:
        return _total(tally(ctx, members_on(ctx.period.end).filter(where(ctx.period.end))))

    register(name, label=label, unit=_("人"), drilldown=_fixed(**drill), description=description)(
        compute
    )


def member_breakdown(
    name: str, label: Any, key: Callable[[date], Any], keys: Any, param: str, description: Any = ""
) -> None:
    """Register the members by a key on the day (a field, an age band …), each key drilled
    down by one list filter."""

    def compute(ctx: FigureContext) -> dict[str, int]:
        return {str(k): n for k, n in _member_tally(ctx, key(ctx.period.end)).items() if k}

    register(
        name,
        label=label,
        unit=_("人"),
        keys=dict(keys),
        drilldown=_by(param),
        description=description,
    )(compute)


member_count(
    "members.total",
    _("党员总数"),
    lambda day: Q(),
    {},
    _("截至日期在册的正式党员和预备党员（含停止党籍），按当日所在党组织统计。"),
)
member_count(
    "members.full", _("正式党员"), lambda day: category_q(Category.FULL, day), {"category": "full"}
)
member_count(
    "members.probationary",
    _("预备党员"),
    lambda day: category_q(Category.PROBATIONARY, day),
    {"category": "probationary"},
)


def _category_key(day: date) -> Case:
    return Case(
        *(When(category_q(category, day), then=Value(category)) for category in Category.values),
        output_field=CharField(),
    )


@register(
    "members.by_category",
    label=_("人员（按类别）"),
    unit=_("人"),
    keys=dict(Category.choices),
    drilldown=_by("category", members=False),
    description=_("入党申请人、积极分子、发展对象、预备党员和正式党员，按截至日期所处阶段。"),
)
def by_category(ctx: FigureContext) -> dict[str, int]:
    day = ctx.period.end
    return dict(tally(ctx, people_on(day), _category_key(day)))


@register(
    "members.by_kind",
    label=_("党员（按所在支部类型）"),
    unit=_("人"),
    keys=dict(Kind.choices),
    drilldown=_by("kind"),
    description=_("直属党委、党总支管理的党员不计入。"),
)
def by_kind(ctx: FigureContext) -> dict[str, int]:
    members = members_on(ctx.period.end)
    counts = tally(ctx, members, F("organization__kind"), moved_key=lambda place: place.kind)
    return {kind: n for kind, n in counts.items() if kind}


member_breakdown(
    "members.by_gender", _("党员（按性别）"), lambda d: F("gender"), Gender.choices, "gender"
)
member_count(
    "members.female", _("女党员"), lambda day: Q(gender=Gender.FEMALE), {"gender": "female"}
)
member_count(
    "members.minority",
    _("少数民族党员"),
    lambda day: ~Q(ethnicity__in=MINORITY_EXCLUDED),
    {"ethnicity": "minority"},
    _("汉族和“其他”以外的民族。"),
)
member_breakdown(
    "members.by_ethnicity",
    _("党员（按民族）"),
    lambda d: F("ethnicity"),
    Ethnicity.choices,
    "ethnicity",
)
member_breakdown(
    "members.by_education",
    _("党员（按学历）"),
    lambda d: F("education"),
    Education.choices,
    "education",
)
member_breakdown(
    "members.by_post", _("党员（按岗位/类别）"), lambda d: F("post"), Post.choices, "post"
)
member_count(
    "members.students",
    _("学生党员"),
    lambda day: Q(post__in=STUDENT_POSTS),
    {"post": "students"},
    _("本科生、硕士研究生、博士研究生和专科生党员。"),
)


def _age_key(day: date) -> Case:
    whens = []
    for code, _label, _low, _high in AGE_BANDS:
        earliest, latest = birth_range(code, day) or (day, day)
        whens.append(When(birth_date__gte=earliest, birth_date__lte=latest, then=Value(code)))
    return Case(*whens, output_field=CharField())


member_breakdown(
    "members.by_age_band",
    _("党员（按年龄段）"),
    _age_key,
    {code: label for code, label, _low, _high in AGE_BANDS},
    "age_band",
    _("按截至日期的周岁年龄。"),
)
# Keys are fixed when the figure registers: every year from 1940 to the current one.
member_breakdown(
    "members.by_join_year",
    _("党员（按入党年份）"),
    lambda d: ExtractYear("joined_on"),
    {str(year): str(year) for year in range(FIRST_JOIN_YEAR, date.today().year + 1)},
    "join_year",
)


# Member status ------------------------------------------------------------------------------


member_count("members.floating", _("流动党员"), floating_q, {"flag": "floating"})
member_count("members.lost_contact", _("失联党员"), lost_contact_q, {"flag": "lost_contact"})
member_count(
    "members.suspended",
    _("停止党籍党员"),
    suspended_q,
    {"status": Status.SUSPENDED},
    _("停止党籍的党员仍计入党员总数。"),
)


@register(
    "members.cadres",
    label=_("干部（按职级）"),
    unit=_("人"),
    keys=dict(CadreRank.choices),
    drilldown=lambda ctx, key: list_url(
        ctx, members=False, flag="cadre", **({"cadre_rank": key} if key else {})
    ),
    description=_("截至日期在任的处级及以上干部。"),
)
def cadres(ctx: FigureContext) -> dict[str, int]:
    day = ctx.period.end
    return dict(tally(ctx, people_on(day).filter(cadre_q(day)), F("cadre__rank")))


# Flows: what happened during the period ----------------------------------------------------


def _period_url(ctx: FigureContext, route: str, **params: str) -> str:
    """A list of what happened in the period: `*_from` / `*_to` take its dates."""
    query = {"within": str(ctx.organization.pk), **params}
    for name in [name for name in params if name.endswith("_from")]:
        query[name], query[name[:-5] + "_to"] = (
            ctx.period.start.isoformat(),
            ctx.period.end.isoformat(),
        )
    return f"{reverse(route)}?{urlencode(query)}"


def transfer_flow(name: str, label: Any, flow: str, description: Any) -> None:
    """Transfers received in the period into (out of) the subtree: from outside the university
    or from (to) an organization outside the subtree."""

    def compute(ctx: FigureContext) -> int:
        period = ctx.period
        received = Transfer.objects.filter(
            status=TransferStatus.RECEIVED,
            received_on__gte=period.start,
            received_on__lte=period.end,
        )
        return crossing(received, ctx.organization.path, flow).count()

    register(
        name,
        label=label,
        unit=_("人次"),
        kind="flow",
        drilldown=lambda ctx, key: _period_url(
            ctx, "members:transfers", flow=flow, received_from=""
        ),
        description=description,
    )(compute)


def off_books_flow(name: str, label: Any, status: str, field: str, description: Any = "") -> None:
    """People of the subtree who left the party (died) in the period."""

    def compute(ctx: FigureContext) -> int:
        period = ctx.period
        return (
            Person.objects.within(ctx.organization)
            .filter(status=status, **{f"{field}__gte": period.start, f"{field}__lte": period.end})
            .count()
        )

    register(
        name,
        label=label,
        unit=_("人"),
        kind="flow",
        drilldown=lambda ctx, key: _period_url(
            ctx, "members:list", status=status, off_books_from=""
        ),
        description=description,
    )(compute)


transfer_flow(
    "members.transfers_in",
    _("组织关系转入"),
    "in",
    _("期间内接收的转入：从校外转入，及从本组织以外的校内党组织转入。"),
)
transfer_flow(
    "members.transfers_out",
    _("组织关系转出"),
    "out",
    _("期间内办结的转出：转出本校，及转往本组织以外的校内党组织。"),
)
off_books_flow(
    "members.left",
    _("出党人数"),
    Status.LEFT,
    "left_on",
    _("期间内出党（退党、劝退、除名、开除党籍、自行脱党、取消预备党员资格）。"),
)
off_books_flow("members.deceased", _("去世党员"), Status.DECEASED, "died_on")
