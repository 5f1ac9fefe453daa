"""The rules of appraisals (domain.md §5), each a configurable rule with a stable code.

Quotas are fractions written as text ("1/3", "2/3", "30%"), so a third of 3 people is one
person, not 0.99 of one.
"""

from __future__ import annotations

import math
from fractions import Fraction

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.errors import DomainError
from dangjian.core.rules import REFUSE, WARN, RuleDef
from dangjian.core.text import Text

GROUP = _("评议测评")
SOURCE = _("《关于开展民主评议党员工作的意见》")
LOCAL = _("本校规定（可调整）")


def _rule(
    code: str, label: Text, message: Text, default: object, severity: str, source: Text
) -> RuleDef:
    return rules.register(
        RuleDef(f"appraisals.{code}", label, message, default, "", severity, source, GROUP)
    )


EXCELLENT_QUOTA = _rule(
    "excellent_quota",
    _("民主评议优秀等次比例上限"),
    _("评定为优秀的党员（{count}人）超过参评正式党员的{value}（{graded}人中最多{allowed}人）。"),
    "1/3",
    REFUSE,
    SOURCE,
)
PROBATIONARY_UNGRADED = _rule(
    "probationary_ungraded",
    _("预备党员不评定等次"),
    _("{name}是预备党员，参加民主评议但不评定等次。"),
    True,
    REFUSE,
    SOURCE,
)
MIN_TURNOUT = _rule(
    "min_turnout",
    _("有效投票率下限"),
    _("实际投票{voted}人，不足应投票人数（{eligible}人）的{value}，测评结果仅供参考。"),
    "2/3",
    WARN,
    LOCAL,
)


def fraction(text: object) -> Fraction:
    """A quota as a fraction: '1/3', '0.3' or '30%'; a clear error for anything else."""
    raw = str(text).strip().replace("％", "%")
    try:
        value = Fraction(raw[:-1]) / 100 if raw.endswith("%") else Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise DomainError(
            gettext("比例“%(value)s”格式不正确，应写作 1/3、0.3 或 30%%。") % {"value": raw}
        )
    if not 0 <= value <= 1:
        raise DomainError(gettext("比例“%(value)s”应在0到1之间。") % {"value": raw})
    return value


def quota(count: int, code: str = EXCELLENT_QUOTA.code) -> int:
    """How many of `count` people a quota rule allows (rounded down)."""
    return math.floor(count * fraction(rules.value(code)))
