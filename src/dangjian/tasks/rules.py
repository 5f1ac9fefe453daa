"""The rules of plans and problem lists, each a configurable rule with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.rules import WARN, RuleDef

GROUP = _("督办整改")
LOCAL = _("本校规定（可调整）")

REMIND_BEFORE = rules.register(
    RuleDef(
        "tasks.remind_before_days",
        _("任务到期前提醒天数"),
        _("任务将在{days}天后到期（提前{value}天提醒）。"),
        7,
        _("天"),
        WARN,
        LOCAL,
        GROUP,
    )
)
RECURRING_SIMILARITY = rules.register(
    RuleDef(
        "tasks.recurring_similarity",
        _("问题反弹判定相似度"),
        _("该问题与{year}年已销号的问题“{other}”相似度为{share}，达到{value}，疑似反弹。"),
        "0.6",
        "",
        WARN,
        LOCAL,
        GROUP,
    )
)
