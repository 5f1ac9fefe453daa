"""The rules of 发展党员 (domain.md §3), each a configurable rule with a stable code.

Intervals are counted from one step's date to another's. A refused breach can be recorded as
a justified exception by a user allowed to (`core.rules`). Values and switches are set per
institution on the rules page; a rule may carry its own value for student or teacher cases.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.rules import REFUSE, WARN, RuleDef
from dangjian.core.text import Text

GROUP = _("发展党员")
SOURCE = _("《中国共产党发展党员工作细则》")


def _rule(
    code: str, label: Text, message: Text, default: object, unit: Text = "", severity: str = REFUSE
) -> RuleDef:
    return rules.register(
        RuleDef(f"recruitment.{code}", label, message, default, unit, severity, SOURCE, GROUP)
    )


MIN_AGE = _rule(
    "min_age",
    _("申请入党年龄"),
    _("申请入党时{age}岁，未满{value}周岁。"),
    18,
    _("岁"),
)
TALK_MONTHS = _rule(
    "talk_months",
    _("申请后谈话期限"),
    _("谈话日期{talk}距申请日期{applied}超过{value}个月。"),
    1,
    _("个月"),
)
ACTIVIST_YEARS = _rule(
    "activist_years",
    _("积极分子培养期"),
    _("确定为积极分子（{activist}）未满{value}年，不能确定为发展对象。"),
    1,
    _("年"),
)
ASSESSMENT_MONTHS = _rule(
    "assessment_months",
    _("积极分子考察间隔"),
    _("距上次考察已超过{value}个月。"),
    6,
    _("个月"),
    WARN,
)
INTRODUCER_FULL = _rule(
    "introducer_full_member",
    _("入党介绍人须为正式党员"),
    _("{name}不是正式党员，不能担任入党介绍人。"),
    True,
)
INTRODUCER_STANDING = _rule(
    "introducer_standing",
    _("受留党察看处分的党员不能担任入党介绍人"),
    _("{name}正受留党察看处分或已停止党籍，不能担任入党介绍人。"),
    True,
)
MENTOR_FULL = _rule(
    "mentor_full_member",
    _("培养联系人须为正式党员"),
    _("{name}不是正式党员，不能担任培养联系人。"),
    True,
)
POLITICAL_REVIEW = _rule(
    "political_review",
    _("政治审查合格"),
    _("未经政治审查或政治审查不合格的，不能发展入党。"),
    True,
)
TRAINING_DAYS = _rule(
    "training_days",
    _("集中培训天数"),
    _("集中培训{days}天、{hours}学时，不足{value}天且不足{hours_required}学时。"),
    3,
    _("天"),
)
TRAINING_HOURS = _rule(
    "training_hours",
    _("集中培训学时"),
    _("集中培训学时不足{value}学时。"),
    24,
    _("学时"),
)
NOTICE_DAYS = _rule(
    "notice_days",
    _("发展对象公示天数"),
    _("公示{days}天，少于{value}天。"),
    5,
    _("天"),
)
ACTIVIST_NOTICE_DAYS = _rule(
    "activist_notice_days",
    _("积极分子公示天数"),
    _("积极分子公示{days}天，少于{value}天。"),
    7,
    _("天"),
    WARN,
)
LEAGUE_RECOMMENDATION_AGE = _rule(
    "league_recommendation_age",
    _("团员推优年龄"),
    _("28周岁以下的共青团员申请入党，一般应经团组织推优；本人{age}岁，推荐方式为“{source}”。"),
    28,
    _("岁"),
    WARN,
)
QUORUM = _rule(
    "quorum",
    _("支部大会到会人数"),
    _("实到{present}人，未超过应到有表决权党员{should}人的半数，会议无效。"),
    True,
)
MAJORITY = _rule(
    "majority",
    _("支部大会表决通过"),
    _("赞成{votes_for}票，未超过应到有表决权党员{should}人的半数，未通过。"),
    True,
)
APPROVAL_MONTHS = _rule(
    "approval_months",
    _("上级党委审批期限"),
    _("审批日期{approved}距支部大会{voted}超过{value}个月（特殊情况可延长至6个月，须记录理由）。"),
    3,
    _("个月"),
)
UNIVERSITY_APPROVAL = _rule(
    "university_approval",
    _("接收预备党员和转正须报学校党委审批"),
    _("须经学校党委审批。"),
    False,
    "",
    WARN,
)
EXTENSION_MIN_MONTHS = _rule(
    "extension_min_months",
    _("延长预备期最短"),
    _("延长预备期{months}个月，少于{value}个月。"),
    6,
    _("个月"),
)
EXTENSION_MAX_MONTHS = _rule(
    "extension_max_months",
    _("延长预备期最长"),
    _("延长预备期{months}个月，超过{value}个月。"),
    12,
    _("个月"),
)
EXTENSION_ONCE = _rule(
    "extension_once",
    _("预备期只能延长一次"),
    _("预备期已延长过一次，不能再次延长。"),
    True,
)
CONVERSION_APPROVAL_MONTHS = _rule(
    "conversion_approval_months",
    _("转正审批期限"),
    _("审批日期{approved}距支部大会{voted}超过{value}个月（特殊情况可延长至6个月，须记录理由）。"),
    3,
    _("个月"),
)
CONVERSION_NOTICE_DAYS = _rule(
    "conversion_application_days",
    _("转正申请提醒"),
    _("预备期满前{value}天提醒本人提出转正申请。"),
    30,
    _("天"),
    WARN,
)
