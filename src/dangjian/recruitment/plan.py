"""Where a case stands: the next step, its due date, the earliest day it may be done, and who
must act. `refresh` writes these onto the case after every action (the worklists read them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dangjian.core import rules
from dangjian.members.choices import STUDENT_POSTS
from dangjian.members.rules import add_months
from dangjian.orgs.models import Organization
from dangjian.recruitment import rules as recruitment_rules
from dangjian.recruitment.choices import CaseStatus, ConversionOutcome, RecordState, ReviewLevel
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.steps import LAST, STEPS, step

# Steps a later one may follow without (assessments recur; continued education is ongoing).
SKIPPABLE = {21}
STUDENT, TEACHER = "student", "teacher"
rules.register_scope(STUDENT, "学生")
rules.register_scope(TEACHER, "教职工")


def rule_scope(case: Case) -> str:
    """Rules may take their own values for students' and teachers' cases."""
    return STUDENT if case.person.post in STUDENT_POSTS else TEACHER


def rule_value(code: str, case: Case) -> Any:
    return rules.value(code, rule_scope(case))


def reviewer(organization: Organization, level: str) -> Organization:
    """The organization that decides at `level` for a branch: its grassroots committee (the
    nearest 党委 above it, or the university committee) or the university committee."""
    if level == ReviewLevel.UNIVERSITY:
        return organization.ancestors_and_self()[0]
    return organization.superior_committee()


def reviewed_paths(user: Any) -> list[str] | None:
    """Paths of the organizations whose reviews the user decides: committee and university
    staff decide for their organization's subtree (a branch secretary never). None: all."""
    from dangjian.core.roles import COMMITTEE, UNIVERSITY
    from dangjian.core.scope import covering_paths, user_grants

    paths: list[str] = []
    for grant in user_grants(user):
        if grant.role in (COMMITTEE, UNIVERSITY):
            if grant.path is None:
                return None
            paths.append(grant.path)
    return covering_paths(paths)


def reviews(user: Any, org: Organization | None) -> bool:
    """Whether the user decides for `org` (one rule for actions, pages, filters, API)."""
    if org is None:
        return False
    paths = reviewed_paths(user)
    return paths is None or any(org.path.startswith(path) for path in paths)


@dataclass(frozen=True)
class Position:
    next_step: int | None
    due_on: date | None = None
    earliest_on: date | None = None
    waiting: StepRecord | None = None


def done(records: list[StepRecord]) -> dict[int, list[StepRecord]]:
    """Done records by step, in date order."""
    result: dict[int, list[StepRecord]] = {}
    for record in sorted(records, key=lambda r: (r.occurred_on, r.pk or 0)):
        if record.state == RecordState.DONE:
            result.setdefault(record.step, []).append(record)
    return result


def last_conversion(records: dict[int, list[StepRecord]]) -> StepRecord | None:
    votes = records.get(23, [])
    return votes[-1] if votes else None


def expected_step(case: Case, records: dict[int, list[StepRecord]]) -> int | None:
    """The next step to record: the first not yet done, with the conversion loop (a vote to
    extend, approved, is followed by a second vote)."""
    if case.status != CaseStatus.OPEN:
        return None
    vote = last_conversion(records)
    if vote is not None:
        approvals = records.get(24, [])
        if len(approvals) < len(records.get(23, [])):
            return 24
        if vote.data.get("outcome") == ConversionOutcome.EXTENDED:
            return 23
        return 25 if 25 not in records else None
    for definition in STEPS:
        if definition.number not in records and definition.number not in SKIPPABLE:
            return definition.number
    return None


def position(case: Case, records: list[StepRecord]) -> Position:
    waiting = next((r for r in records if r.state == RecordState.SUBMITTED), None)
    finished = done(records)
    following = waiting.step if waiting is not None else expected_step(case, finished)
    if following is None:
        return Position(None)
    due, earliest = deadlines(case, following, finished)
    return Position(following, due, earliest, waiting)


def deadlines(
    case: Case, number: int, records: dict[int, list[StepRecord]]
) -> tuple[date | None, date | None]:
    """(due, earliest) for step `number` from the rules and the dates so far."""
    value = lambda code: rule_value(code, case)  # noqa: E731
    if number == 2 and case.applied_on:
        return add_months(case.applied_on, value(recruitment_rules.TALK_MONTHS.code)), None
    if number in (5, 6) and case.activist_on:
        assessments = records.get(6, [])
        since = assessments[-1].occurred_on if assessments else case.activist_on
        return add_months(since, value(recruitment_rules.ASSESSMENT_MONTHS.code)), None
    if number == 7 and case.activist_on:
        years = value(recruitment_rules.ACTIVIST_YEARS.code)
        return None, add_months(case.activist_on, 12 * years)
    if number in (16, 17) and case.voted_on:
        return add_months(case.voted_on, value(recruitment_rules.APPROVAL_MONTHS.code)), None
    if number == 22 and case.probation_ends_on:
        days = value(recruitment_rules.CONVERSION_NOTICE_DAYS.code)
        return case.probation_ends_on - timedelta(days=days), None
    if number == 23 and case.probation_ends_on:
        return case.probation_ends_on, case.probation_ends_on
    if number == 24:
        vote = last_conversion(records)
        if vote is not None:
            months = value(recruitment_rules.CONVERSION_APPROVAL_MONTHS.code)
            return add_months(vote.occurred_on, months), None
    return None, None


def refresh(case: Case) -> Case:
    """Recompute the case's standing from its records and save it."""
    records = list(case.records.all())
    finished = done(records)
    numbers = [n for n in finished if n != 21]
    case.last_step = max(numbers, default=0)
    case.last_step_on = max(
        (r.occurred_on for r in records if r.state == RecordState.DONE), default=None
    )
    here = position(case, records)
    case.next_step, case.due_on, case.earliest_on = here.next_step, here.due_on, here.earliest_on
    stage_step = here.next_step or case.last_step or 1
    case.stage = step(min(max(stage_step, 1), LAST)).stage
    if here.waiting is not None:
        level = step(here.waiting.step).review or ReviewLevel.COMMITTEE
        pending = pending_level(case, here.waiting)
        case.waiting_level = pending or level
        case.waiting_organization = reviewer(case.organization, case.waiting_level)
    else:
        case.waiting_level, case.waiting_organization = "", None
    case.save()
    return case


def pending_level(case: Case, record: StepRecord) -> str:
    """The level whose decision a submitted record waits for: the committee first, then the
    university where the rules require it (admission and conversion approvals)."""
    approved = {r.level for r in record.reviews.all() if r.decision == "approved"}
    for level in levels_for(case, record.step):
        if level not in approved:
            return level
    return ""


def levels_for(case: Case, number: int) -> list[str]:
    definition = step(number)
    if not definition.review:
        return []
    levels = [definition.review]
    switch = rules.get(recruitment_rules.UNIVERSITY_APPROVAL.code, rule_scope(case))
    if number in (17, 24) and switch.enabled and switch.value:
        levels.append(ReviewLevel.UNIVERSITY)
    return levels
