"""Every state change of a recruitment case (domain.md §3).

Opening a case records step 1; each later step is recorded, checked against the order, the
dates and the rules, and applied to the member registry (activist, candidate, probationary
member, full member) through `members.actions`. Steps that need a higher organization wait
for its review. All of it atomic: a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.rules import Exemption
from dangjian.core.scope import ADD, CHANGE, covers
from dangjian.members import actions as member_actions
from dangjian.members.actions.common import responsible_users
from dangjian.members.choices import MEMBER_CATEGORIES, ON_BOOKS, Category, LeaveReason
from dangjian.members.models import Person
from dangjian.members.validation import HOLDING_LEVELS
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization
from dangjian.recruitment.checks import Check, check_order, check_step, probation_end
from dangjian.recruitment.choices import (
    CancelReason,
    CaseStatus,
    ConversionOutcome,
    Decision,
    RecordState,
)
from dangjian.recruitment.fields import clean_fields
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.plan import (
    done,
    levels_for,
    pending_level,
    refresh,
    reviewer,
    reviews,
)
from dangjian.recruitment.steps import step


@dataclass
class Outcome:
    """A recorded step and the warnings of rules that only warn (shown to the user)."""

    record: StepRecord
    warnings: list[str] = field(default_factory=list)


def _refuse_outside(user: Any, action: str, org: Organization) -> None:
    if user is not None and not covers(user, Case, action, org.path):
        raise DomainError(gettext("您无权办理该党组织的发展党员工作。"))


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _exemption(justification: str, user: Any, org: Organization) -> Exemption | None:
    return Exemption(justification, user, org) if (justification or "").strip() else None


def _parse_day(value: Any, field_name: str = "occurred_on") -> date:
    from dangjian.core.io.normalize import to_date

    try:
        day = to_date(value)
    except ValueError as error:
        raise DomainError({field_name: str(error)}) from None
    if day is None:
        raise DomainError({field_name: gettext("请填写日期。")})
    return day


@domain_action("recruitment.case.open", _("建立发展党员档案"))
def open_case(
    person: Person,
    *,
    applied_on: Any,
    organization: Organization | None = None,
    data: Mapping[str, Any] | None = None,
    justification: str = "",
    acting_user: Any,
) -> Outcome:
    """Start a case with the application (step 1) for a person of the registry."""
    org = organization or person.organization
    _refuse_outside(acting_user, ADD, org)
    if org.level not in HOLDING_LEVELS or org.level == Level.UNIVERSITY_COMMITTEE:
        raise DomainError({"organization": gettext("请选择党支部（或直接负责发展工作的党组织）。")})
    if person.category in MEMBER_CATEGORIES:
        raise DomainError(gettext("%(name)s已是党员，不能建立发展档案。") % {"name": person.name})
    if person.status not in ON_BOOKS:
        raise DomainError(gettext("%(name)s不在册，不能建立发展档案。") % {"name": person.name})
    if Case.objects.filter(person=person, status=CaseStatus.OPEN).exists():
        raise DomainError(gettext("%(name)s已有进行中的发展党员档案。") % {"name": person.name})
    try:
        with transaction.atomic():
            case = Case.objects.create(person=person, organization=org)
    except IntegrityError:  # a concurrent opening for the same person
        raise DomainError(
            gettext("%(name)s已有进行中的发展党员档案。") % {"name": person.name}
        ) from None
    track(case, detail={"person": person.name})
    return _record(case, 1, applied_on, data or {}, "", justification, acting_user)


@domain_action("recruitment.step.record", _("登记发展步骤"))
def record_step(
    case: Case,
    number: int,
    *,
    occurred_on: Any,
    data: Mapping[str, Any] | None = None,
    note: str = "",
    justification: str = "",
    acting_user: Any,
) -> Outcome:
    """Record step `number` of an open case (a returned one is corrected and resubmitted)."""
    _refuse_outside(acting_user, CHANGE, case.organization)
    case = _lock(case)
    if not case.is_open:
        raise DomainError(gettext("该档案已办结，不能再登记步骤。"))
    return _record(case, number, occurred_on, data or {}, note, justification, acting_user)


def _record(
    case: Case,
    number: int,
    occurred_on: Any,
    raw: Mapping[str, Any],
    note: str,
    justification: str,
    user: Any,
) -> Outcome:
    if not isinstance(number, int) or not 1 <= number <= 25:
        raise DomainError({"step": gettext("步骤应为1至25。")})
    definition = step(number)
    day = _parse_day(occurred_on)
    values, errors = clean_fields(definition, raw)
    if errors:
        raise DomainError(errors)
    records = list(case.records.all())
    if any(r.state == RecordState.SUBMITTED for r in records):
        waiting = next(r for r in records if r.state == RecordState.SUBMITTED)
        raise DomainError(
            gettext("第%(n)d步“%(label)s”正在等待上级审核，审核后才能继续。")
            % {"n": waiting.step, "label": step(waiting.step).label}
        )
    exemption = _exemption(justification, user, case.organization)
    check = Check(case, records, exemption)
    check_order(check, definition, day)
    check_step(check, definition, day, values)
    returned = next(
        (r for r in records if r.step == number and r.state == RecordState.RETURNED), None
    )
    record = returned or StepRecord(case=case, step=number)
    record.occurred_on, record.data, record.note = day, values, (note or "").strip()[:2000]
    record.recorded_by = user
    levels = levels_for(case, number)
    record.state = RecordState.SUBMITTED if levels else RecordState.DONE
    record.save()
    if levels:
        _self_review(case, record, day, user)
    if record.state == RecordState.DONE:
        _apply(case, record, user)
    if exemption is not None:
        exemption.save(record)
    refresh(case)
    track(record, detail={"step": number, "state": record.state, **_audit_data(values)})
    if record.state == RecordState.SUBMITTED:
        _notify_reviewers(case, record)
    return Outcome(record, check.warnings)


def _audit_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """Step fields for the audit entry: short values only (long texts are on the record)."""
    return {k: v for k, v in values.items() if not (isinstance(v, str) and len(v) > 80)}


def _self_review(case: Case, record: StepRecord, day: date, user: Any) -> None:
    """Staff of the reviewing organization record the step as decided at once."""
    while True:
        level = pending_level(case, record)
        if not level:
            break
        org = reviewer(case.organization, level)
        if user is not None and not reviews(user, org):
            break  # waits for the reviewing organization (the system decides at once)
        Review.objects.create(
            record=record,
            level=level,
            organization=org,
            decision=Decision.APPROVED,
            decided_on=day,
            decided_by=user,
        )
    if not pending_level(case, record):
        record.state = RecordState.DONE
        record.save(update_fields=["state", "updated_at"])


def _notify_reviewers(case: Case, record: StepRecord) -> None:
    from dangjian.accounts.models import RoleGrant
    from dangjian.core.roles import COMMITTEE, UNIVERSITY

    org = case.waiting_organization
    if org is None:
        return
    users = [
        grant.user
        for grant in RoleGrant.objects.active()
        .filter(role__in=[COMMITTEE, UNIVERSITY])
        .select_related("organization", "user")
        if grant.organization is not None and org.path.startswith(grant.organization.path)
    ]
    title = gettext("待审核：%(name)s 第%(n)d步“%(label)s”") % {
        "name": case.person.name,
        "n": record.step,
        "label": step(record.step).label,
    }
    url = reverse("recruitment:detail", args=[case.pk])
    notify(users, title, url=url, key=f"recruitment.review.{record.pk}")


@domain_action("recruitment.step.review", _("审核发展步骤"))
def review_step(
    record: StepRecord,
    *,
    decision: str,
    decided_on: Any,
    reason: str = "",
    justification: str = "",
    acting_user: Any,
) -> Outcome:
    """The reviewing organization approves a submitted step or returns it with a reason."""
    case = _lock(record.case)
    record = StepRecord.objects.select_for_update().get(pk=record.pk)
    if record.state != RecordState.SUBMITTED:
        raise DomainError(gettext("该步骤不在待审核状态。"))
    level = pending_level(case, record)
    org = reviewer(case.organization, level)
    if acting_user is not None and not reviews(acting_user, org):
        raise DomainError(gettext("该步骤应由%(org)s审核。") % {"org": org.name})
    day = _parse_day(decided_on, "decided_on")
    if day < record.occurred_on:
        raise DomainError(
            {
                "decided_on": gettext("审核日期不能早于报送日期（%(day)s）。")
                % {"day": record.occurred_on.isoformat()}
            }
        )
    if day > timezone.localdate():
        raise DomainError({"decided_on": gettext("日期不能晚于今天。")})
    reason = (reason or "").strip()
    if decision not in Decision.values:
        raise DomainError({"decision": gettext("请选择审核结果。")})
    warnings: list[str] = []
    if decision == Decision.RETURNED:
        if not reason:
            raise DomainError({"reason": gettext("退回时请填写原因。")})
        record.state = RecordState.RETURNED
        case.returned_reason = reason[:300]
    else:
        if record.step in (17, 24):  # the approval's date is the step's date: its deadline
            exemption = _exemption(justification, acting_user, org)
            check = Check(case, [r for r in case.records.all() if r.pk != record.pk], exemption)
            check_step(check, step(record.step), day, record.data)
            warnings = check.warnings
            if exemption is not None:
                exemption.save(record)
        case.returned_reason = ""
    Review.objects.create(
        record=record,
        level=level,
        organization=org,
        decision=decision,
        reason=reason[:300],
        decided_on=day,
        decided_by=acting_user,
    )
    if decision == Decision.APPROVED and not pending_level(case, record):
        record.state = RecordState.DONE
        record.occurred_on = day
    record.save()
    if record.state == RecordState.DONE:
        _apply(case, record, acting_user)
    refresh(case)
    track(record, detail={"step": record.step, "decision": decision, "reason": reason})
    if decision == Decision.RETURNED:
        url = reverse("recruitment:detail", args=[case.pk])
        title = gettext("已退回：%(name)s 第%(n)d步“%(label)s”") % {
            "name": case.person.name,
            "n": record.step,
            "label": step(record.step).label,
        }
        notify(
            responsible_users(case.organization),
            title,
            reason,
            url,
            f"recruitment.returned.{record.pk}",
        )
    return Outcome(record, warnings)


def _apply(case: Case, record: StepRecord, user: Any) -> None:
    """What a done step changes: the case's dates and the person's category."""
    number, day, person = record.step, record.occurred_on, case.person
    if number == 1:
        case.applied_on = day
        _reach(person, Category.APPLICANT, day, user)
    elif number == 3:
        case.activist_on = day
        _reach(person, Category.ACTIVIST, day, user)
    elif number == 7:
        case.candidate_on = day
        _reach(person, Category.CANDIDATE, day, user)
    elif number == 15:
        case.voted_on = day
        case.probation_ends_on = probation_end(case, day)
    elif number == 17:
        case.admitted_on = day
        assert case.voted_on is not None
        member_actions.advance_category(
            person,
            Category.PROBATIONARY,
            case.voted_on,
            acting_user=user,
            summary=gettext("接收为预备党员（支部大会%(day)s通过）")
            % {"day": case.voted_on.isoformat()},
        )
    elif number == 24:
        _decide_conversion(case, record, user)
    elif number == 25 and case.converted_on:
        case.status, case.closed_on = CaseStatus.CONVERTED, day
    case.save()


PIPELINE = list(Category.values)


def _reach(person: Person, category: str, day: date, user: Any) -> None:
    """Bring the registry to the step: advance a person who is not that far yet; for one
    already further along (a case opened or imported late) only the step's date is set."""
    from dangjian.members.actions.people import CATEGORY_DATE

    if PIPELINE.index(person.category) < PIPELINE.index(category):
        member_actions.advance_category(person, category, day, acting_user=user)
    elif getattr(person, CATEGORY_DATE[category]) != day:
        member_actions.update_person(person, {CATEGORY_DATE[category]: day}, acting_user=user)


def _decide_conversion(case: Case, record: StepRecord, user: Any) -> None:
    vote = done(list(case.records.all())).get(23, [])[-1]
    outcome, person = vote.data["outcome"], case.person
    ends = case.probation_ends_on
    assert ends is not None
    if outcome == ConversionOutcome.ON_TIME:
        case.converted_on = ends
        member_actions.advance_category(
            person,
            Category.FULL,
            ends,
            acting_user=user,
            summary=gettext("转为正式党员（党龄自%(day)s起算）") % {"day": ends.isoformat()},
        )
    elif outcome == ConversionOutcome.EXTENDED:
        from dangjian.members.rules import add_months

        months = int(vote.data["extension_months"])
        case.extension_months += months
        case.probation_ends_on = add_months(ends, months)
        member_actions.add_event(
            person,
            "category",
            record.occurred_on,
            gettext("延长预备期%(n)d个月，至%(day)s")
            % {"n": months, "day": case.probation_ends_on.isoformat()},
            actor=user,
        )
    else:
        case.status, case.closed_on = CaseStatus.DISQUALIFIED, record.occurred_on
        case.close_reason = str(ConversionOutcome.DISQUALIFIED.label)
        member_actions.leave_party(
            person, on=record.occurred_on, reason=LeaveReason.PROBATION_CANCELLED, acting_user=user
        )


@domain_action("recruitment.case.cancel", _("终止发展"))
def cancel_case(case: Case, *, reason: str, on: Any, note: str = "", acting_user: Any) -> Case:
    """Stop a case before admission (withdrawn, no longer qualified, left…)."""
    _refuse_outside(acting_user, CHANGE, case.organization)
    case = _lock(case)
    if not case.is_open:
        raise DomainError(gettext("该档案已办结。"))
    if case.admitted_on:
        raise DomainError(
            gettext("已接收为预备党员，请通过支部大会讨论转正（或取消预备党员资格）办理。")
        )
    if reason not in CancelReason.values:
        raise DomainError({"reason": gettext("请选择终止原因。")})
    day = _parse_day(on, "on")
    if day > timezone.localdate():
        raise DomainError({"on": gettext("日期不能晚于今天。")})
    if case.last_step_on and day < case.last_step_on:
        raise DomainError(
            {
                "on": gettext("终止日期不能早于最近一步的日期（%(day)s）。")
                % {"day": case.last_step_on.isoformat()}
            }
        )
    case.status, case.closed_on = CaseStatus.CANCELLED, day
    label = CancelReason(reason).label
    case.close_reason = f"{label}：{note.strip()}"[:300] if note.strip() else str(label)
    case.save()
    refresh(case)
    track(case, detail={"reason": case.close_reason})
    return case


# --- Legacy import (recruitment/importers.py) ------------------------------------------------


class StepRefused(DomainError):
    """A refusal while importing a case, naming the step it concerns (its cells in the file)."""

    def __init__(self, number: int, error: DomainError) -> None:
        super().__init__(dict(error.errors), code=error.code)
        self.step = number


@domain_action("recruitment.case.legacy", _("导入历史发展档案"))
def import_case(
    person: Person,
    steps: Sequence[tuple[int, Any, Mapping[str, Any]]],
    *,
    organization: Organization | None = None,
    acting_user: Any,
) -> Case:
    """Open a case for a person whose recruitment began before the system, with the steps
    already done (`(number, date, fields)` in order, step 1 first). Each step is checked by
    the same rules as one entered by hand; reviews count as decided, as the system records
    them, since the file reports what the organizations already decided."""
    org = organization or person.organization
    _refuse_outside(acting_user, ADD, org)
    if not steps or steps[0][0] != 1:
        raise StepRefused(1, DomainError({"occurred_on": gettext("请填写申请日期。")}))
    _number, applied_on, data = steps[0]
    try:
        opened = open_case(
            person, applied_on=applied_on, organization=org, data=data, acting_user=None
        )
    except DomainError as error:
        raise StepRefused(1, error) from None
    case = opened.record.case
    for number, occurred_on, values in steps[1:]:
        try:
            record_step(case, number, occurred_on=occurred_on, data=values, acting_user=None)
        except DomainError as error:
            raise StepRefused(number, error) from None
    StepRecord.objects.filter(case=case).update(recorded_by=acting_user)
    Case.objects.filter(pk=case.pk).update(is_legacy=True)
    case.refresh_from_db()
    track(case, detail={"person": person.name, "steps": len(steps), "legacy": True})
    return case
