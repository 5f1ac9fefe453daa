"""The checks of each step before it is recorded: order, dates, and the rules of §3.

Bad input (a step out of order, a date before the previous step's, more votes than members
present) is a DomainError with a message per field. A rule breach goes through
`core.rules.breach`: refused with the rule's message, or accepted with a justification by a
user allowed to record exceptions; warnings are returned to be shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core import rules
from dangjian.core.errors import DomainError
from dangjian.core.rules import Exemption
from dangjian.members import rules as member_rules
from dangjian.members.choices import Category, Status
from dangjian.members.models import Person
from dangjian.members.rules import add_months
from dangjian.recruitment import rules as r
from dangjian.recruitment.choices import ConversionOutcome, ReviewConclusion, Source
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.plan import SKIPPABLE, done, expected_step, rule_scope
from dangjian.recruitment.steps import StepDef, step

HARD_APPROVAL_LIMIT_MONTHS = 6  # "up to 6 in special cases": beyond that no exception helps


class Check:
    """What a step's checks need: the case, its done records, the rule scope, the
    exemption offered, and the warnings gathered."""

    def __init__(self, case: Case, records: list[StepRecord], exemption: Exemption | None):
        self.case = case
        self.records = done(records)
        self.scope = rule_scope(case)
        self.exemption = exemption
        self.warnings: list[str] = []

    def breach(self, rule: Any, field: str = "__all__", **facts: Any) -> None:
        text = rules.breach(
            rule.code, field=field, scope=self.scope, exemption=self.exemption, **facts
        )
        if text:
            self.warnings.append(text)

    def value(self, rule: Any) -> Any:
        return rules.value(rule.code, self.scope)

    def first(self, number: int) -> StepRecord | None:
        found = self.records.get(number)
        return found[0] if found else None

    def latest(self, number: int) -> StepRecord | None:
        found = self.records.get(number)
        return found[-1] if found else None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_order(check: Check, definition: StepDef, occurred_on: date) -> None:
    """The step is the expected one (or a repeat of a recurring one), not in the future, and
    not dated before the step before it."""
    case, number = check.case, definition.number
    if occurred_on > timezone.localdate():
        raise DomainError({"occurred_on": gettext("日期不能晚于今天。")})
    expected = expected_step(case, check.records)
    repeat = definition.repeatable and number in check.records and _in_window(check, number)
    optional_now = number in SKIPPABLE and expected is not None and expected > number
    if number != expected and not repeat and not optional_now:
        if number in check.records and not definition.repeatable:
            raise DomainError(
                gettext("第%(n)d步“%(label)s”已登记。") % {"n": number, "label": definition.label}
            )
        if expected is None:
            raise DomainError(gettext("该档案已办结，不能再登记步骤。"))
        raise DomainError(
            gettext("请先完成第%(n)d步“%(label)s”。")
            % {"n": expected, "label": step(expected).label}
        )
    previous = [
        record
        for n, found in check.records.items()
        if n < number or (n == number and definition.repeatable)
        for record in found
    ]
    if previous:
        last = max(previous, key=lambda rec: rec.occurred_on)
        if occurred_on < last.occurred_on:
            raise DomainError(
                {
                    "occurred_on": gettext("日期不能早于上一步骤“%(label)s”的日期（%(day)s）。")
                    % {"label": step(last.step).label, "day": last.occurred_on.isoformat()}
                }
            )


def _in_window(check: Check, number: int) -> bool:
    """A recurring step may be repeated until the step after its run is done."""
    if number == 6:
        return 7 not in check.records
    if number == 21:
        return 22 not in check.records
    return True  # 23 and 24 are governed by the conversion loop of expected_step


def _member(pk: int, field: str) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise DomainError({field: gettext("所选人员不存在。")})
    return person


def check_step(check: Check, definition: StepDef, occurred_on: date, data: dict[str, Any]) -> None:
    """The rules of the step (after `check_order` and field cleaning)."""
    handler = HANDLERS.get(definition.number)
    if handler is not None:
        handler(check, occurred_on, data)


def _application(check: Check, on: date, data: dict[str, Any]) -> None:
    age = age_on(check.case.person.birth_date, on)
    if age < check.value(r.MIN_AGE):
        check.breach(r.MIN_AGE, "occurred_on", age=age)


def _talk(check: Check, on: date, data: dict[str, Any]) -> None:
    applied = check.case.applied_on
    if applied and on > add_months(applied, check.value(r.TALK_MONTHS)):
        check.breach(r.TALK_MONTHS, "occurred_on", talk=on.isoformat(), applied=applied.isoformat())
    talker = _member(data["talker"], "talker")
    if talker.category not in (Category.FULL, Category.PROBATIONARY):
        raise DomainError({"talker": gettext("谈话人应为党员。")})


def _notice(check: Check, data: dict[str, Any], rule: Any) -> None:
    start, end = data.get("notice_from"), data.get("notice_to")
    if not (start and end):
        return
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last < first:
        raise DomainError({"notice_to": gettext("公示结束日期不能早于开始日期。")})
    days = (last - first).days + 1
    if days < check.value(rule):
        check.breach(rule, "notice_to", days=days)


def _activist(check: Check, on: date, data: dict[str, Any]) -> None:
    _notice(check, data, r.ACTIVIST_NOTICE_DAYS)
    age = age_on(check.case.person.birth_date, on)
    if data.get("source") != Source.LEAGUE and age < check.value(r.LEAGUE_RECOMMENDATION_AGE):
        check.breach(
            r.LEAGUE_RECOMMENDATION_AGE, "source", age=age, source=Source(data["source"]).label
        )


def _full_members(check: Check, ids: list[int], field: str, full_rule: Any, standing: Any) -> None:
    for pk in ids:
        person = _member(pk, field)
        if person.pk == check.case.person_id:
            raise DomainError({field: gettext("不能由本人担任。")})
        if person.category != Category.FULL or person.status not in (
            Status.NORMAL,
            Status.SUSPENDED,
        ):
            check.breach(full_rule, field, name=person.name)
        if standing is not None and person.status == Status.SUSPENDED:
            check.breach(standing, field, name=person.name)


def _mentors(check: Check, on: date, data: dict[str, Any]) -> None:
    _full_members(check, data["mentors"], "mentors", r.MENTOR_FULL, None)


def _candidate(check: Check, on: date, data: dict[str, Any]) -> None:
    activist = check.case.activist_on
    if activist and on < add_months(activist, 12 * check.value(r.ACTIVIST_YEARS)):
        check.breach(r.ACTIVIST_YEARS, "occurred_on", activist=activist.isoformat())
    _notice(check, data, r.ACTIVIST_NOTICE_DAYS)


def _introducers(check: Check, on: date, data: dict[str, Any]) -> None:
    _full_members(
        check, data["introducers"], "introducers", r.INTRODUCER_FULL, r.INTRODUCER_STANDING
    )


def _political_review(check: Check, on: date, data: dict[str, Any]) -> None:
    if data["conclusion"] != ReviewConclusion.PASSED:
        check.breach(r.POLITICAL_REVIEW, "conclusion")


def _training(check: Check, on: date, data: dict[str, Any]) -> None:
    days, hours = data.get("days"), data.get("hours")
    if days is None and hours is None:
        raise DomainError({"days": gettext("请填写培训天数或学时。")})
    enough_days = days is not None and days >= check.value(r.TRAINING_DAYS)
    enough_hours = hours is not None and hours >= check.value(r.TRAINING_HOURS)
    if not (enough_days or enough_hours):
        check.breach(
            r.TRAINING_DAYS,
            "days",
            days=days if days is not None else 0,
            hours=hours if hours is not None else 0,
            hours_required=check.value(r.TRAINING_HOURS),
        )


def _pre_review(check: Check, on: date, data: dict[str, Any]) -> None:
    _notice(check, data, r.NOTICE_DAYS)


def voting_members(case: Case) -> int:
    """Members of the branch with a vote: full members on the books, standing not suspended."""
    return Person.objects.filter(
        organization=case.organization, category=Category.FULL, status=Status.NORMAL
    ).count()


def _votes(check: Check, data: dict[str, Any]) -> None:
    should, present = data["should_attend"], data["present"]
    cast = data["votes_for"] + data["votes_against"] + data["votes_abstain"]
    errors: dict[str, str] = {}
    eligible = voting_members(check.case)
    if should > eligible:
        errors["should_attend"] = gettext(
            "应到%(should)d人，超过本支部有表决权的正式党员%(n)d人。"
        ) % {"should": should, "n": eligible}
    if present > should:
        errors["present"] = gettext("实到人数不能多于应到人数。")
    if cast > present:
        errors["votes_for"] = gettext(
            "赞成、反对、弃权票数之和（%(cast)d）超过实到人数（%(present)d）。"
        ) % {
            "cast": cast,
            "present": present,
        }
    if errors:
        raise DomainError(errors)
    if present * 2 <= should:
        check.breach(r.QUORUM, "present", present=present, should=should)


def _majority(check: Check, data: dict[str, Any]) -> None:
    if data["votes_for"] * 2 <= data["should_attend"]:
        check.breach(
            r.MAJORITY, "votes_for", votes_for=data["votes_for"], should=data["should_attend"]
        )


def _admission_vote(check: Check, on: date, data: dict[str, Any]) -> None:
    notice = check.first(13)
    if notice is not None and notice.data.get("notice_to"):
        ends = date.fromisoformat(notice.data["notice_to"])
        if on <= ends:
            raise DomainError(
                {
                    "occurred_on": gettext("公示期（至%(day)s）结束后才能召开支部大会。")
                    % {"day": ends.isoformat()}
                }
            )
    _votes(check, data)
    _majority(check, data)


def _approval_in_time(check: Check, on: date, since: date | None, rule: Any) -> None:
    if since is None:
        return
    if on > add_months(since, HARD_APPROVAL_LIMIT_MONTHS):
        raise DomainError(
            {"occurred_on": gettext("审批日期距支部大会已超过6个月，超出特殊情况的最长期限。")}
        )
    if on > add_months(since, check.value(rule)):
        check.breach(rule, "occurred_on", approved=on.isoformat(), voted=since.isoformat())


def _approval(check: Check, on: date, data: dict[str, Any]) -> None:
    _approval_in_time(check, on, check.case.voted_on, r.APPROVAL_MONTHS)


def _conversion_vote(check: Check, on: date, data: dict[str, Any]) -> None:
    ends = check.case.probation_ends_on
    if ends and on < ends:
        check.breach(member_rules.PROBATION_MONTHS, "occurred_on", converted=on.isoformat())
    outcome = data["outcome"]
    _votes(check, data)
    if outcome == ConversionOutcome.EXTENDED:
        months = data.get("extension_months")
        if not months:
            raise DomainError({"extension_months": gettext("延长预备期须填写延长的月数。")})
        if check.case.extension_months:
            check.breach(r.EXTENSION_ONCE, "outcome")
        if months < check.value(r.EXTENSION_MIN_MONTHS):
            check.breach(r.EXTENSION_MIN_MONTHS, "extension_months", months=months)
        if months > check.value(r.EXTENSION_MAX_MONTHS):
            check.breach(r.EXTENSION_MAX_MONTHS, "extension_months", months=months)
    elif data.get("extension_months"):
        raise DomainError({"extension_months": gettext("只有延长预备期时才填写延长月数。")})
    _majority(check, data)


def _conversion_approval(check: Check, on: date, data: dict[str, Any]) -> None:
    vote = check.latest(23)
    _approval_in_time(check, on, vote.occurred_on if vote else None, r.CONVERSION_APPROVAL_MONTHS)


HANDLERS = {
    1: _application,
    2: _talk,
    3: _activist,
    5: _mentors,
    7: _candidate,
    9: _introducers,
    10: _political_review,
    11: _training,
    13: _pre_review,
    15: _admission_vote,
    17: _approval,
    23: _conversion_vote,
    24: _conversion_approval,
}


def probation_end(case: Case, voted_on: date) -> date:
    """Probation runs a year (the registry's rule) from the day of the assembly vote, not
    from the approval; party standing counts from the day it ends."""
    return add_months(voted_on, rules.value(member_rules.PROBATION_MONTHS.code, rule_scope(case)))
