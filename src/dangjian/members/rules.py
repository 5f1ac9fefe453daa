"""Rules of the member registry (domain.md §3 date rules, §7 member status)."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.rules import REFUSE, WARN, RuleDef

GROUP = _("党员管理")
RECRUIT_SOURCE = _("《中国共产党发展党员工作细则》")
STATUS_SOURCE = _("《中国共产党党员教育管理工作条例》")

JOIN_MIN_AGE = rules.register(
    RuleDef(
        "members.join_min_age",
        _("入党最低年龄"),
        _("入党时年龄{age}岁，未满{value}周岁。"),
        18,
        _("岁"),
        REFUSE,
        RECRUIT_SOURCE,
        GROUP,
    )
)
PROBATION_MONTHS = rules.register(
    RuleDef(
        "members.probation_months",
        _("预备期"),
        _("转正日期{converted}早于预备期满（入党之日起{value}个月）。"),
        12,
        _("个月"),
        REFUSE,
        RECRUIT_SOURCE,
        GROUP,
    )
)
LOST_CONTACT_MONTHS = rules.register(
    RuleDef(
        "members.lost_contact_months",
        _("失联党员停止党籍期限"),
        _("失去联系已{months}个月，满{value}个月的应按规定停止党籍。"),
        6,
        _("个月"),
        WARN,
        STATUS_SOURCE,
        GROUP,
    )
)
FLOATING_TRANSFER_MONTHS = rules.register(
    RuleDef(
        "members.floating_transfer_months",
        _("外出流动转移组织关系期限"),
        _("外出流动已{months}个月，满{value}个月且地点固定的应转移组织关系。"),
        6,
        _("个月"),
        WARN,
        STATUS_SOURCE,
        GROUP,
    )
)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months (negative: back), clamped to the end of a shorter month.

    31 August + 6 months is 28 (or 29) February: the same calendar the party uses for
    probation and the status deadlines.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`: the largest n with add_months(start, n) <= end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    elif months < 0 and add_months(start, months) < end:
        months += 1
    return months
