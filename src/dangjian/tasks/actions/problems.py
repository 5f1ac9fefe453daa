"""State changes of problems: list, open the ledger entry, rectify, ask for close-out, verify
and close (销号), return, reopen. Each step is kept in the problem's log.

The responsible unit records measures and progress and asks for close-out with evidence; only
the issuer verifies and closes, so nothing is closed without evidence and a verification.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core import rules
from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.scope import ADD, CHANGE, DELETE, covers
from dangjian.orgs.models import Organization
from dangjian.tasks.actions.common import Fields, handlers, refuse_outside, store_file
from dangjian.tasks.choices import (
    ProblemCategory,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
    ProblemStep,
)
from dangjian.tasks.models import Problem, ProblemFile, ProblemLog
from dangjian.tasks.similarity import similarity


def threshold() -> float:
    """The similarity from which a problem counts as recurring (rule, default 0.6)."""
    try:
        value = Decimal(str(rules.value("tasks.recurring_similarity")))
    except (InvalidOperation, ValueError):
        return 0.6
    return float(min(max(value, Decimal("0.1")), Decimal("1")))


def find_recurrence(unit: Organization, year: int, text: str) -> tuple[Problem | None, float]:
    """The most similar problem closed for `unit` in an earlier year, if similar enough."""
    best, score = None, 0.0
    earlier = Problem.objects.filter(unit=unit, year__lt=year, status=ProblemStatus.CLOSED)
    for other in earlier.only("pk", "description", "year", "number"):
        value = similarity(text, other.description)
        if value > score:
            best, score = other, value
    return (best, round(score, 3)) if best is not None and score >= threshold() else (None, score)


def _log(problem: Problem, step: str, note: str, user: Any) -> None:
    ProblemLog.objects.create(problem=problem, step=step, note=note, by=user)


def _unit_may(user: Any, problem: Problem) -> None:
    if user is not None and not covers(user, Problem, CHANGE, problem.unit.path):
        raise DomainError(gettext("该问题不是本单位负责整改的问题。"))


def _issuer_may(user: Any, problem: Problem) -> None:
    if user is not None and not covers(user, Problem, CHANGE, problem.issuer.path):
        raise DomainError(gettext("只有列出问题的单位才能核验、销号或重新打开。"))


def _state(problem: Problem, *allowed: str, doing: str) -> None:
    if problem.status not in allowed:
        raise DomainError(
            gettext("问题当前为“%(status)s”，不能%(doing)s。")
            % {"status": problem.get_status_display(), "doing": doing}
        )


def _next_number(issuer: Organization, year: int) -> str:
    numbers = Problem.objects.filter(issuer=issuer, year=year).values_list("number", flat=True)
    top = max((int(n) for n in numbers if n.isdigit()), default=0)
    return str(top + 1)


@domain_action("tasks.problem.list", "列入问题清单")
def list_problem(issuer: Organization, data: Mapping[str, Any], *, acting_user: Any) -> Problem:
    """Put a problem on the issuer's list for a year, assigned to a unit in its subtree;
    flagged as recurring when it resembles one closed for that unit in an earlier year."""
    refuse_outside(acting_user, Problem, ADD, issuer)
    fields = Fields(
        {"level": ProblemLevel.UNIVERSITY if issuer.depth == 1 else ProblemLevel.UNIT} | dict(data)
    )
    year = fields.number("year", gettext("年度"), 2000, 2100)
    fields.choice("level", gettext("层面"), ProblemLevel)
    fields.choice("source", gettext("问题来源"), ProblemSource)
    fields.choice("category", gettext("问题类别"), ProblemCategory)
    description = fields.text("description", gettext("问题描述"), limit=2000)
    number = fields.text("number", gettext("编号"), limit=20, required=False)
    unit = fields.unit(fields.raw("unit"), "unit", issuer, gettext("请选择责任单位。"))
    if year and number and Problem.objects.filter(issuer=issuer, year=year, number=number).exists():
        fields.fail("number", gettext("编号%(n)s在本年度清单中已被使用。") % {"n": number})
    out = fields.done()
    assert unit is not None and year is not None
    out["number"] = number or _next_number(issuer, year)
    out["unit"] = unit
    recurring, score = find_recurrence(unit, year, description)
    problem = Problem.objects.create(
        issuer=issuer,
        created_by=acting_user,
        recurring_of=recurring,
        similarity=score if recurring else None,
        **out,
    )
    _log(problem, ProblemStep.LISTED, "", acting_user)
    notify(
        handlers(unit),
        gettext("新的整改问题：%(text)s") % {"text": description[:40]},
        url=f"/tasks/problems/{problem.pk}/",
    )
    track(problem, detail={"unit": unit.pk, "recurring_of": recurring.pk if recurring else None})
    return problem


@domain_action("tasks.problem.ledger", "建立整改台账")
def open_ledger(problem: Problem, data: Mapping[str, Any], *, acting_user: Any) -> Problem:
    """Record (or change) the measures, the person and the deadline: the ledger entry."""
    _unit_may(acting_user, problem)
    _state(problem, ProblemStatus.LISTED, ProblemStatus.RECTIFYING, doing=gettext("修改整改台账"))
    fields = Fields(data, problem)
    fields.text("measures", gettext("整改措施"), limit=5000)
    fields.text("responsible", gettext("责任人"), limit=50)
    deadline = fields.day("deadline", gettext("整改时限"))
    if deadline and deadline < problem.listed_on:
        fields.fail(
            "deadline",
            gettext("整改时限不能早于问题列入日期（%(day)s）。")
            % {"day": problem.listed_on.isoformat()},
        )
    out = fields.done()
    first = problem.status == ProblemStatus.LISTED
    for name, value in out.items():
        setattr(problem, name, value)
    problem.status = ProblemStatus.RECTIFYING
    problem.save()
    _log(
        problem,
        ProblemStep.LEDGER,
        out["measures"] if first else gettext("修改了整改台账"),
        acting_user,
    )
    track(problem, detail={"deadline": str(deadline)})
    return problem


def _attach(problem: Problem, files: Sequence[Any], user: Any) -> int:
    for upload in files:
        store_file(ProblemFile(problem=problem), "", upload, acting_user=user)
    return len(files)


@domain_action("tasks.problem.progress", "报送整改进展")
def record_progress(
    problem: Problem, note: str, files: Sequence[Any] = (), *, acting_user: Any
) -> Problem:
    _unit_may(acting_user, problem)
    _state(problem, ProblemStatus.RECTIFYING, doing=gettext("报送整改进展"))
    if not (note or "").strip():
        raise DomainError({"note": gettext("请填写整改进展。")})
    _attach(problem, files, acting_user)
    _log(problem, ProblemStep.PROGRESS, note.strip(), acting_user)
    problem.save(update_fields=["updated_at"])
    return problem


@domain_action("tasks.problem.submit", "申请销号")
def submit_closure(
    problem: Problem, note: str, files: Sequence[Any] = (), *, acting_user: Any
) -> Problem:
    """The unit reports the problem rectified and asks the issuer to close it: evidence needed."""
    _unit_may(acting_user, problem)
    _state(problem, ProblemStatus.RECTIFYING, doing=gettext("申请销号"))
    errors = {}
    if not (note or "").strip():
        errors["note"] = gettext("请说明整改完成情况。")
    if not files and not problem.files.exists():
        errors["files"] = gettext("申请销号须上传整改佐证材料。")
    if errors:
        raise DomainError(errors)
    _attach(problem, files, acting_user)
    problem.status = ProblemStatus.SUBMITTED
    problem.save(update_fields=["status", "updated_at"])
    _log(problem, ProblemStep.SUBMITTED, note.strip(), acting_user)
    notify(
        handlers(problem.issuer),
        gettext("问题申请销号：%(text)s") % {"text": problem.description[:40]},
        url=f"/tasks/problems/{problem.pk}/",
    )
    return problem


@domain_action("tasks.problem.verify", "核验销号")
def verify(problem: Problem, accept: bool, note: str, *, acting_user: Any) -> Problem:
    """The issuer verifies: closes the problem (销号) or returns it with the reason."""
    _issuer_may(acting_user, problem)
    _state(problem, ProblemStatus.SUBMITTED, doing=gettext("核验"))
    note = (note or "").strip()
    if not note:
        raise DomainError(
            {"note": gettext("请填写核验意见。") if accept else gettext("退回时请说明理由。")}
        )
    if accept:
        problem.status, problem.closed_on = ProblemStatus.CLOSED, timezone.localdate()
        problem.verification, problem.verified_by = note, acting_user
    else:
        problem.status = ProblemStatus.RECTIFYING
    problem.save()
    _log(problem, ProblemStep.CLOSED if accept else ProblemStep.RETURNED, note, acting_user)
    title = gettext("问题已销号：%(text)s") if accept else gettext("销号申请被退回：%(text)s")
    notify(
        handlers(problem.unit),
        title % {"text": problem.description[:40]},
        note,
        f"/tasks/problems/{problem.pk}/",
    )
    track(problem, detail={"closed": accept})
    return problem


@domain_action("tasks.problem.reopen", "重新打开问题")
def reopen(problem: Problem, reason: str, *, acting_user: Any) -> Problem:
    """A closed problem found not truly rectified goes back to rectification."""
    _issuer_may(acting_user, problem)
    _state(problem, ProblemStatus.CLOSED, doing=gettext("重新打开"))
    if not (reason or "").strip():
        raise DomainError({"reason": gettext("请说明重新打开的理由。")})
    problem.status, problem.closed_on = ProblemStatus.RECTIFYING, None
    problem.reopened_count += 1
    problem.save()
    _log(problem, ProblemStep.REOPENED, reason.strip(), acting_user)
    notify(
        handlers(problem.unit),
        gettext("问题被重新打开：%(text)s") % {"text": problem.description[:40]},
        reason,
        f"/tasks/problems/{problem.pk}/",
    )
    return problem


@domain_action("tasks.problem.delete", "删除问题")
def delete_problem(problem: Problem, *, acting_user: Any) -> None:
    refuse_outside(acting_user, Problem, DELETE, problem.issuer)
    _state(problem, ProblemStatus.LISTED, doing=gettext("删除（已建立台账的问题只能销号）"))
    track(problem, detail={"number": problem.number})
    problem.delete()
