"""The rules of organizational life (domain.md §4), each a configurable rule with a stable code.

The required frequencies are periods in months counted from January (1 = every month,
3 = every quarter, 12 = every year); compliance reads them, and switching one off drops the
item from compliance. The recording window refuses a late entry without a justification (set
it to warn to accept late entries flagged only). Quorum and the 第一议题 only warn: the meeting
was held, but its resolutions or its record need attention.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.rules import REFUSE, WARN, RuleDef
from dangjian.core.text import Text
from dangjian.orglife.choices import Requirement

GROUP = _("组织生活")
SOURCE = _("《中国共产党支部工作条例（试行）》")
LOCAL = _("本校规定（可调整）")


def _rule(
    code: str,
    label: Text,
    message: Text,
    default: object,
    unit: Text = "",
    severity: str = REFUSE,
    source: Text = SOURCE,
) -> RuleDef:
    return rules.register(
        RuleDef(f"orglife.{code}", label, message, default, unit, severity, source, GROUP)
    )


MONTHS = _("个月")
# Required items and their default periods in months (domain.md §4).
FREQUENCY: dict[str, RuleDef] = {
    Requirement.GENERAL_ASSEMBLY: _rule(
        "period.general_assembly",
        _("支部党员大会召开周期"),
        _("支部党员大会应每{value}个月至少召开一次。"),
        3,
        MONTHS,
        WARN,
    ),
    Requirement.COMMITTEE_MEETING: _rule(
        "period.committee_meeting",
        _("支委会召开周期"),
        _("支委会应每{value}个月至少召开一次。"),
        1,
        MONTHS,
        WARN,
    ),
    Requirement.GROUP_MEETING: _rule(
        "period.group_meeting",
        _("党小组会召开周期"),
        _("每个党小组应每{value}个月至少召开一次党小组会。"),
        1,
        MONTHS,
        WARN,
    ),
    Requirement.LECTURE: _rule(
        "period.lecture",
        _("支部党课周期"),
        _("支部应每{value}个月至少上一次党课。"),
        3,
        MONTHS,
        WARN,
        LOCAL,
    ),
    Requirement.SECRETARY_LECTURE: _rule(
        "period.secretary_lecture",
        _("书记讲党课周期"),
        _("支部书记应每{value}个月至少讲一次党课。"),
        12,
        MONTHS,
        WARN,
    ),
    Requirement.THEME_DAY: _rule(
        "period.theme_day",
        _("主题党日周期"),
        _("主题党日应每{value}个月至少开展一次。"),
        1,
        MONTHS,
        WARN,
    ),
    Requirement.REVIEW_MEETING: _rule(
        "period.review_meeting",
        _("组织生活会周期"),
        _("组织生活会应每{value}个月至少召开一次。"),
        12,
        MONTHS,
        WARN,
    ),
    Requirement.HEART_TALK: _rule(
        "period.heart_talk",
        _("谈心谈话周期"),
        _("支部委员与党员谈心谈话应每{value}个月至少开展一次。"),
        12,
        MONTHS,
        WARN,
    ),
}
RECORDING_WINDOW = _rule(
    "recording_window",
    _("活动登记时限"),
    _("活动已过去{days}天，超过{value}天的登记时限，须填写补录理由。"),
    30,
    _("天"),
    REFUSE,
    LOCAL,
)
ASSEMBLY_QUORUM = _rule(
    "assembly_quorum",
    _("党员大会法定人数"),
    _("到会有表决权的党员{present}人，未超过应到{expected}人的半数，会议不得作出决议。"),
    True,
    severity=WARN,
)
COMMITTEE_QUORUM = _rule(
    "committee_quorum",
    _("支委会法定人数"),
    _("到会支委{present}人，未超过应到{expected}人的半数，会议不得作出决定。"),
    True,
    severity=WARN,
)
FIRST_TOPIC = _rule(
    "first_topic",
    _("支委会第一议题"),
    _("支委会应以学习“第一议题”开始，请填写第一议题学习内容。"),
    True,
    severity=WARN,
    source=LOCAL,
)
CHECKIN_ROTATION = _rule(
    "checkin_rotation",
    _("签到二维码刷新间隔"),
    _("签到码已过期（每{value}秒更新一次），请扫描屏幕上的最新二维码。"),
    30,
    _("秒"),
    source=LOCAL,
)
CHECKIN_OPENS = _rule(
    "checkin_opens",
    _("签到开始时间（开始前）"),
    _("签到尚未开始：活动开始前{value}分钟开放签到。"),
    60,
    _("分钟"),
    source=LOCAL,
)
CHECKIN_CLOSES = _rule(
    "checkin_closes",
    _("签到截止时间（结束后）"),
    _("签到已结束：活动结束{value}分钟后不再接受签到。"),
    30,
    _("分钟"),
    source=LOCAL,
)
SUMMARY_DUE_DAY = _rule(
    "summary_due_day",
    _("组织生活月报报送日"),
    _("上月组织生活月报应于每月{value}日前报送。"),
    10,
    _("日"),
    WARN,
    LOCAL,
)
REMINDER_DAYS = _rule(
    "reminder_days",
    _("组织生活提醒提前天数"),
    _("距周期结束不足{value}天仍未开展的必开事项，提醒支部书记。"),
    7,
    _("天"),
    WARN,
    LOCAL,
)
