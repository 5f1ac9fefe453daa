"""The figures API: registered figures computed for an organization subtree and a period.

The same numbers as the figures page and the dashboards (core/figures.py), each with the URL
of the records behind it. The organization must be in the caller's view scope (404 otherwise);
the separated administrators and accounts without a business role get 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError

from dangjian.core import figures
from dangjian.core.figures import FigureContext, Period
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import VIEW

router = Router(tags=["统计指标"])


class FigureValueOut(Schema):
    """A computed figure; a breakdown figure carries one part per key."""

    name: str = Field(description="指标名称，如 orgs.branches；分项为 orgs.by_level.branch")
    label: str = Field(description="指标（中文）")
    unit: str = Field(description="单位")
    value: int | float | None = Field(description="数值；null 表示无数据（不是 0）")
    organization: int = Field(description="统计的党组织 id（含其全部下级）")
    start: date = Field(description="统计期开始日期")
    end: date = Field(description="统计期截至日期；存量指标按此日统计")
    url: str = Field(description="指标背后记录的页面地址")
    parts: list[FigureValueOut] = Field(description="分项（仅分类指标）")


class FigureQuery(Schema):
    """Where and when the figures are computed."""

    organization: int | None = Field(
        None, description="党组织 id；不填则为调用者管理范围内最高一级的党组织"
    )
    start: date | None = Field(None, description="开始日期，默认为截至日期所在年份的1月1日")
    end: date | None = Field(None, description="截至日期，默认为今天")


class FigureListQuery(FigureQuery):
    names: str | None = Field(
        None, description="只返回这些指标，英文逗号分隔，如 orgs.total,orgs.branches"
    )


def _context(request: HttpRequest, query: FigureQuery) -> FigureContext:
    """The organization (in the caller's view scope) and period the query asks for."""
    from dangjian.core.views.pages import scope_tops
    from dangjian.orgs.models import Organization

    require(request, Organization, VIEW)
    if query.organization is None:
        tops = scope_tops(request.user)
        if not tops:
            raise ValidationError(
                [
                    {
                        "loc": ["query", "organization"],
                        "msg": gettext("请指定党组织。"),
                        "type": "missing",
                    }
                ]
            )
        organization = tops[0]
    else:
        organization = get_scoped(request, Organization, VIEW, pk=query.organization)
    end = query.end or timezone.localdate()
    start = query.start or date(end.year, 1, 1)
    if start > end:
        raise ValidationError(
            [
                {
                    "loc": ["query", "start"],
                    "msg": gettext("开始日期不能晚于截至日期。"),
                    "type": "date_order",
                }
            ]
        )
    return FigureContext(organization, Period(start, end))


def is_known(name: str) -> bool:
    """Whether `name` is a registered figure or one part of a breakdown figure."""
    try:
        figures.get_figure(name)
    except KeyError:
        base, _, key = name.rpartition(".")
        try:
            return key in figures.get_figure(base).keys
        except KeyError:
            return False
    return True


@router.get(
    "",
    response=list[FigureValueOut],
    summary="统计指标",
    description="计算党组织（含全部下级）在统计期内的各项指标；存量指标按截至日期统计，"
    "流量指标统计期内发生的事项。",
)
def list_figures(request: HttpRequest, query: Query[FigureListQuery]) -> list[dict[str, Any]]:
    """Every registered figure, or the named ones, for an organization and period."""
    context = _context(request, query)
    if query.names:
        names = [name.strip() for name in query.names.split(",") if name.strip()]
        unknown = [name for name in names if not is_known(name)]
        if unknown:
            raise ValidationError(
                [
                    {
                        "loc": ["query", "names"],
                        "type": "unknown_figure",
                        "msg": gettext("未知的统计指标：%(unknown)s。")
                        % {"unknown": "、".join(unknown)},
                    }
                ]
            )
        return [figures.compute(name, context).as_dict() for name in names]
    return [figures.evaluate(figure, context).as_dict() for figure in figures.all_figures()]


@router.get(
    "/{name}",
    response=FigureValueOut,
    summary="单项统计指标",
    description="按名称计算一项指标或分类指标的一个分项（如 orgs.by_level.branch）。",
)
def get_figure(request: HttpRequest, name: str, query: Query[FigureQuery]) -> dict[str, Any]:
    """One figure (or one part of a breakdown) for an organization and period."""
    context = _context(request, query)
    if not is_known(name):
        raise HttpError(404, gettext("未知的统计指标“%(name)s”。") % {"name": name})
    return figures.compute(name, context).as_dict()
