"""Structure rules of domain.md §2: registered as configurable rules, checked here.

The parent/child levels (a branch never under a party group) are fixed structure, not
settings. Sizes, committee composition and terms are rules with the regulation's values as
defaults; most are warnings shown on the organization's page, since real trees break them for
a while during reorganizations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.rules import WARN, RuleDef
from dangjian.orgs.choices import ALLOWED_PARENTS, BRANCH_LEVELS, Kind, Level, Position

GROUP = _("党组织设置")
SOURCE = _("《中国共产党支部工作条例（试行）》")

BRANCH_MIN_MEMBERS = rules.register(
    RuleDef(
        "org.branch.min_members",
        _("成立党支部的正式党员人数下限"),
        _("正式党员{count}人，少于{value}人，应与邻近单位成立联合党支部。"),
        3,
        _("人"),
        WARN,
        SOURCE,
        GROUP,
    )
)
BRANCH_MAX_MEMBERS = rules.register(
    RuleDef(
        "org.branch.max_members",
        _("党支部党员人数上限"),
        _("党员{count}人，超过{value}人，可考虑成立党总支或分设支部。"),
        50,
        _("人"),
        WARN,
        SOURCE,
        GROUP,
    )
)
TEACHER_BRANCH_MAX_MEMBERS = rules.register(
    RuleDef(
        "org.branch.teacher_max_members",
        _("教职工党支部党员人数上限"),
        _("教职工党支部党员{count}人，超过{value}人。"),
        30,
        _("人"),
        WARN,
        _("高校党建实践"),
        GROUP,
    )
)
JOINT_BRANCH_MAX_UNITS = rules.register(
    RuleDef(
        "org.branch.joint_max_units",
        _("联合党支部涵盖单位数上限"),
        _("联合党支部涵盖{count}个单位，不应超过{value}个。"),
        5,
        _("个"),
        rules.REFUSE,
        SOURCE,
        GROUP,
    )
)
COMMITTEE_THRESHOLD = rules.register(
    RuleDef(
        "org.committee.threshold",
        _("设立支部委员会的正式党员人数"),
        _("正式党员{count}人，达到{value}人，应设立支部委员会。"),
        7,
        _("人"),
        WARN,
        SOURCE,
        GROUP,
    )
)
COMMITTEE_SIZE = rules.register(
    RuleDef(
        "org.committee.size",
        _("支部委员会委员人数"),
        _("支部委员会现有委员{count}人，应为{value[0]}至{value[1]}人（一般不超过7人）。"),
        [3, 5],
        _("人"),
        WARN,
        SOURCE,
        GROUP,
    )
)
BRANCH_TERM_YEARS = rules.register(
    RuleDef(
        "org.term.branch_years",
        _("党支部（党总支）委员会任期"),
        _("任期应为{value}年。"),
        3,
        _("年"),
        WARN,
        SOURCE,
        GROUP,
    )
)
COMMITTEE_TERM_YEARS = rules.register(
    RuleDef(
        "org.term.committee_years",
        _("基层党委任期"),
        _("任期应为{value}年。"),
        5,
        _("年"),
        WARN,
        _("《中国共产党基层组织选举工作条例》"),
        GROUP,
    )
)
TERM_OVERDUE = rules.register(
    RuleDef(
        "org.term.overdue",
        _("按期换届"),
        _("第{number}届委员会任期已于{ends_on}届满，逾期{days}天未换届。"),
        0,
        _("天"),
        WARN,
        SOURCE,
        GROUP,
    )
)
TERM_MAX_DELAY = rules.register(
    RuleDef(
        "org.term.max_delay",
        _("延期换届期限"),
        _("第{number}届委员会已逾期{days}天，延期换届一般不超过{value}天（1年）。"),
        365,
        _("天"),
        WARN,
        SOURCE,
        GROUP,
    )
)


def check_parent(level: str, parent_level: str | None) -> str | None:
    """Why `level` may not stand under `parent_level`, or None when it may."""
    allowed = ALLOWED_PARENTS.get(level, frozenset())
    if parent_level in allowed:
        return None
    names = dict(Level.choices)
    if parent_level is None:
        return gettext("%(level)s必须设在上级党组织之下。") % {"level": names[level]}
    allowed_names = "、".join(str(names[p]) for p in Level.values if p in allowed) or gettext("无")
    return gettext("%(level)s不能设在%(parent_level)s之下（可设在：%(allowed_names)s）。") % {
        "level": names[level],
        "parent_level": names[parent_level],
        "allowed_names": allowed_names,
    }


def term_years_for(level: str) -> int:
    """Default term length: grassroots committees 5 years, branches and general branches 3."""
    if level in {Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE}:
        return int(rules.value(COMMITTEE_TERM_YEARS.code))
    return int(rules.value(BRANCH_TERM_YEARS.code))


@dataclass(frozen=True)
class Warning:
    """A structure warning shown on an organization's page and in the tree."""

    code: str
    message: str
    severe: bool = False


def _warn(code: str, severe: bool = False, **facts: object) -> Warning | None:
    state = rules.get(code)
    if not state.enabled:
        return None
    return Warning(code, state.message(**facts), severe)


def structure_warnings(
    *,
    level: str,
    kind: str,
    is_joint: bool,
    joint_units: int | None,
    full_members: int | None,
    committee_size: int | None,
    current_term: tuple[int, date] | None,
    today: date,
) -> list[Warning]:
    """Warnings for one organization from its facts (None = not known yet, not checked)."""
    found: list[Warning | None] = []
    if level in BRANCH_LEVELS and full_members is not None:
        if full_members < rules.value(BRANCH_MIN_MEMBERS.code) and not is_joint:
            found.append(_warn(BRANCH_MIN_MEMBERS.code, count=full_members))
        limit_rule = TEACHER_BRANCH_MAX_MEMBERS if kind == Kind.TEACHER else BRANCH_MAX_MEMBERS
        if full_members > rules.value(limit_rule.code):
            found.append(_warn(limit_rule.code, count=full_members))
        if (
            full_members >= rules.value(COMMITTEE_THRESHOLD.code)
            and committee_size is not None
            and committee_size < 3
        ):
            found.append(_warn(COMMITTEE_THRESHOLD.code, count=full_members))
    if level in BRANCH_LEVELS and committee_size and committee_size >= 3:
        low, high = rules.value(COMMITTEE_SIZE.code)
        if not low <= committee_size <= high:
            found.append(_warn(COMMITTEE_SIZE.code, count=committee_size))
    if current_term is not None:
        number, ends_on = current_term
        overdue = (today - ends_on).days
        if overdue > rules.value(TERM_MAX_DELAY.code):
            found.append(_warn(TERM_MAX_DELAY.code, True, number=number, days=overdue))
        elif overdue > rules.value(TERM_OVERDUE.code):
            found.append(_warn(TERM_OVERDUE.code, number=number, ends_on=ends_on, days=overdue))
    if is_joint and joint_units and joint_units > rules.value(JOINT_BRANCH_MAX_UNITS.code):
        found.append(_warn(JOINT_BRANCH_MAX_UNITS.code, True, count=joint_units))
    return [w for w in found if w is not None]


COMMITTEE_POSITIONS_REQUIRED = (Position.SECRETARY,)
