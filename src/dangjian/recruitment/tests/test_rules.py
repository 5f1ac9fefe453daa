"""Every rule of §3 at its boundary, on both sides; refusals leave nothing behind."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from dangjian.core import rules
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.models import RuleException, RuleSetting
from dangjian.core.testing.personas import Tree
from dangjian.members import actions as member_actions
from dangjian.members.choices import Category
from dangjian.members.rules import add_months
from dangjian.members.testing import make_person
from dangjian.recruitment import actions
from dangjian.recruitment.checks import voting_members
from dangjian.recruitment.models import Case
from dangjian.recruitment.testing import Helpers, applicant, helpers_for, schedule, step_data, walk

DAYS = schedule(date(2023, 3, 1))


@pytest.fixture
def helpers(tree: Tree) -> Helpers:
    return helpers_for(tree.b1)


def upto(tree: Tree, helpers: Helpers, through: int, **extra: Any) -> Case:
    return walk(applicant(tree.b1, **extra), through=through, helpers=helpers)


def record(
    case: Case, number: int, on: date, helpers: Helpers, user: Any = None, **data: Any
) -> Any:
    values = {**step_data(number, DAYS, helpers, voting_members(case)), **data}
    return actions.record_step(case, number, occurred_on=on, data=values, acting_user=user)


def refused(fn: Any) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        fn()
    return caught.value.errors


def test_application_at_18_on_the_birthday(tree: Tree, helpers: Helpers) -> None:
    person = applicant(tree.b1, birth_date=date(2005, 3, 1), applied_on=date(2023, 3, 1))
    errors = refused(
        lambda: actions.open_case(person, applied_on=date(2023, 2, 28), acting_user=None)
    )
    assert errors == {"occurred_on": "申请入党时17岁，未满18周岁。"}
    assert not Case.objects.exists()
    outcome = actions.open_case(person, applied_on=date(2023, 3, 1), acting_user=None)
    assert outcome.record.case.next_step == 2


def test_talk_within_one_month(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 1)
    errors = refused(lambda: record(case, 2, date(2023, 4, 2), helpers))
    assert "超过1个月" in errors["occurred_on"]
    assert case.records.count() == 1
    record(case, 2, date(2023, 4, 1), helpers)
    assert Case.objects.get().next_step == 3


def test_activist_for_a_year_before_candidate(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 6)
    assert case.earliest_on == date(2024, 5, 1)
    errors = refused(lambda: record(case, 7, date(2024, 4, 30), helpers))
    assert errors["occurred_on"] == "确定为积极分子（2023-05-01）未满1年，不能确定为发展对象。"
    record(case, 7, date(2024, 5, 1), helpers)
    case.person.refresh_from_db()
    assert case.person.category == Category.CANDIDATE


def test_introducers_are_full_members_in_good_standing(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 8)
    probationary = make_person(
        tree.b1, name="预备甲", category=Category.PROBATIONARY, converted_on=None, staff_no="P1"
    )
    suspended = make_person(tree.b1, name="停籍乙", staff_no="P2")
    member_actions.suspend(suspended, on=date(2024, 1, 1), reason="失联", acting_user=None)
    full = helpers.introducers[0].pk
    day = DAYS[9]
    errors = refused(lambda: record(case, 9, day, helpers, introducers=[full, probationary.pk]))
    assert errors["introducers"] == "预备甲不是正式党员，不能担任入党介绍人。"
    errors = refused(lambda: record(case, 9, day, helpers, introducers=[full, suspended.pk]))
    assert errors["introducers"] == "停籍乙正受留党察看处分或已停止党籍，不能担任入党介绍人。"
    errors = refused(lambda: record(case, 9, day, helpers, introducers=[full, case.person_id]))
    assert errors["introducers"] == "不能由本人担任。"
    errors = refused(lambda: record(case, 9, day, helpers, introducers=[full]))
    assert errors["introducers"] == "至少需要2人。"
    record(case, 9, day, helpers)


def test_political_review_must_pass(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 9)
    errors = refused(lambda: record(case, 10, DAYS[10], helpers, conclusion="failed"))
    assert errors["conclusion"] == "未经政治审查或政治审查不合格的，不能发展入党。"


@pytest.mark.parametrize(
    ("days", "hours", "ok"),
    [(3, None, True), (None, 24, True), (2.5, 23.5, False), (2, None, False)],
)
def test_training_three_days_or_24_hours(
    tree: Tree, helpers: Helpers, days: Any, hours: Any, ok: bool
) -> None:
    case = upto(tree, helpers, 10)
    data = {"course": "培训班", "days": days, "hours": hours}
    if ok:
        actions.record_step(case, 11, occurred_on=DAYS[11], data=data, acting_user=None)
    else:
        assert (
            "不足3天且不足24学时"
            in refused(
                lambda: actions.record_step(
                    case, 11, occurred_on=DAYS[11], data=data, acting_user=None
                )
            )["days"]
        )


def test_pre_review_notice_of_five_days(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 12)
    start = DAYS[13] - timedelta(days=10)
    short = {"notice_from": start.isoformat(), "notice_to": (start + timedelta(days=3)).isoformat()}
    assert refused(lambda: record(case, 13, DAYS[13], helpers, **short))["notice_to"] == (
        "公示4天，少于5天。"
    )
    enough = {
        "notice_from": start.isoformat(),
        "notice_to": (start + timedelta(days=4)).isoformat(),
    }
    record(case, 13, DAYS[13], helpers, **enough)


def test_votes_quorum_and_majority(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 14)
    n = voting_members(case)
    assert n == 4  # the four helpers
    vote = DAYS[15]

    def votes(should: int, present: int, yes: int, no: int = 0, abstain: int = 0) -> dict[str, int]:
        return {
            "should_attend": should,
            "present": present,
            "votes_for": yes,
            "votes_against": no,
            "votes_abstain": abstain,
        }

    assert (
        "超过本支部有表决权的正式党员4人"
        in refused(lambda: record(case, 15, vote, helpers, **votes(5, 4, 4)))["should_attend"]
    )
    assert refused(lambda: record(case, 15, vote, helpers, **votes(4, 3, 3, 1)))["votes_for"] == (
        "赞成、反对、弃权票数之和（4）超过实到人数（3）。"
    )
    assert (
        "会议无效" in refused(lambda: record(case, 15, vote, helpers, **votes(4, 2, 2)))["present"]
    )
    assert (
        "未通过"
        in refused(lambda: record(case, 15, vote, helpers, **votes(4, 3, 2, 1)))["votes_for"]
    )
    assert not case.records.filter(step=15).exists()
    record(case, 15, vote, helpers, **votes(4, 3, 3))
    case.refresh_from_db()
    assert case.probation_ends_on == add_months(vote, 12)


def test_approval_within_three_months_or_justified_up_to_six(
    tree: Tree, helpers: Helpers, personas: dict[str, Any]
) -> None:
    case = upto(tree, helpers, 16)
    late = add_months(case.voted_on, 3) + timedelta(days=1)
    errors = refused(lambda: record(case, 17, late, helpers))
    assert "超过3个月" in errors["occurred_on"]
    # A secretary may not record the exception; the committee may, with a reason.
    with pytest.raises(RuleViolation) as caught:
        actions.record_step(
            case,
            17,
            occurred_on=late,
            data={"approved_by": "文学院党委"},
            justification="寒假期间党委会顺延",
            acting_user=personas["secretary"],
        )
    assert "无权记录规则例外" in str(caught.value)
    too_late = add_months(case.voted_on, 6) + timedelta(days=1)
    assert (
        "超出特殊情况的最长期限"
        in refused(
            lambda: actions.record_step(
                case,
                17,
                occurred_on=too_late,
                data={"approved_by": "文学院党委"},
                justification="顺延",
                acting_user=personas["committee"],
            )
        )["occurred_on"]
    )
    outcome = actions.record_step(
        case,
        17,
        occurred_on=late,
        data={"approved_by": "文学院党委"},
        justification="寒假期间党委会顺延",
        acting_user=personas["committee"],
    )
    assert outcome.warnings and "超过3个月" in outcome.warnings[0]
    exception = RuleException.objects.get()
    assert exception.code == "recruitment.approval_months"
    assert exception.object_id == str(outcome.record.pk)
    assert exception.justification == "寒假期间党委会顺延"
    case.person.refresh_from_db()
    assert case.person.category == Category.PROBATIONARY
    assert case.person.joined_on == case.voted_on


def test_conversion_not_before_probation_ends_and_one_extension(
    tree: Tree, helpers: Helpers
) -> None:
    case = upto(tree, helpers, 22)
    ends = case.probation_ends_on
    assert ends is not None
    assert (
        "早于预备期满"
        in refused(lambda: record(case, 23, ends - timedelta(days=1), helpers))["occurred_on"]
    )
    for months in (5, 13):
        errors = refused(
            lambda: record(case, 23, ends, helpers, outcome="extended", extension_months=months)  # noqa: B023
        )
        assert "extension_months" in errors
    record(case, 23, ends, helpers, outcome="extended", extension_months=6)
    record(case, 24, ends + timedelta(days=10), helpers)
    case.refresh_from_db()
    assert case.extension_months == 6
    assert case.probation_ends_on == add_months(ends, 6)
    assert case.next_step == 23
    later = case.probation_ends_on
    assert (
        refused(lambda: record(case, 23, later, helpers, outcome="extended", extension_months=6))[
            "outcome"
        ]
        == "预备期已延长过一次，不能再次延长。"
    )
    record(case, 23, later, helpers)
    record(case, 24, later + timedelta(days=5), helpers)
    case.person.refresh_from_db()
    assert case.person.category == Category.FULL
    assert case.person.converted_on == later


def test_disqualification_takes_the_person_off_the_books(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 22)
    record(case, 23, case.probation_ends_on, helpers, outcome="disqualified")
    record(case, 24, case.probation_ends_on + timedelta(days=3), helpers)
    case.refresh_from_db()
    case.person.refresh_from_db()
    assert case.status == "disqualified"
    assert case.person.status == "left"
    assert case.person.leave_reason == "probation_cancelled"


def test_steps_out_of_order_or_dated_before_the_previous_one(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 2)
    assert refused(lambda: record(case, 5, DAYS[5], helpers)) == {
        "__all__": "请先完成第3步“确定入党积极分子”。"
    }
    assert refused(lambda: record(case, 3, DAYS[2] - timedelta(days=1), helpers)) == {
        "occurred_on": "日期不能早于上一步骤“党组织派人谈话”的日期（2023-03-21）。"
    }
    assert refused(lambda: record(case, 2, DAYS[2], helpers))["__all__"] == (
        "第2步“党组织派人谈话”已登记。"
    )
    future = date.today() + timedelta(days=1)
    assert refused(lambda: record(case, 3, future, helpers)) == {
        "occurred_on": "日期不能晚于今天。"
    }
    case.person.refresh_from_db()
    assert case.person.category == Category.APPLICANT


def test_reviews_submit_return_resubmit_approve(
    tree: Tree, helpers: Helpers, personas: dict[str, Any]
) -> None:
    case = upto(tree, helpers, 3)
    secretary, committee = personas["secretary"], personas["committee"]
    filed = actions.record_step(case, 4, occurred_on=DAYS[4], acting_user=secretary).record
    case.refresh_from_db()
    assert (filed.state, case.waiting_level, case.waiting_organization) == (
        "submitted",
        "committee",
        tree.c1,
    )
    assert (
        "正在等待上级审核"
        in refused(lambda: record(case, 5, DAYS[5], helpers, secretary))["__all__"]
    )
    assert (
        "应由文学院党委审核"
        in refused(
            lambda: actions.review_step(
                filed, decision="approved", decided_on=DAYS[4], acting_user=personas["outsider"]
            )
        )["__all__"]
    )
    assert refused(
        lambda: actions.review_step(
            filed, decision="returned", decided_on=DAYS[4], acting_user=committee
        )
    ) == {"reason": "退回时请填写原因。"}
    actions.review_step(
        filed, decision="returned", decided_on=DAYS[4], reason="缺少推荐材料", acting_user=committee
    )
    case.refresh_from_db()
    assert case.returned_reason == "缺少推荐材料" and case.waiting_level == ""
    again = actions.record_step(case, 4, occurred_on=DAYS[4], acting_user=secretary).record
    assert again.pk == filed.pk and again.state == "submitted"
    actions.review_step(
        again, decision="approved", decided_on=DAYS[4] + timedelta(days=2), acting_user=committee
    )
    case.refresh_from_db()
    assert case.next_step == 5 and case.returned_reason == ""
    assert again.reviews.count() == 2


def test_university_approval_when_switched_on(
    tree: Tree, helpers: Helpers, personas: dict[str, Any]
) -> None:
    RuleSetting.objects.create(code="recruitment.university_approval", value=True)
    rules.invalidate()
    case = upto(tree, helpers, 16)
    submitted = actions.record_step(
        case,
        17,
        occurred_on=DAYS[17],
        data={"approved_by": "文学院党委"},
        acting_user=personas["committee"],
    ).record
    case.refresh_from_db()
    assert submitted.state == "submitted" and case.waiting_level == "university"
    actions.review_step(
        submitted,
        decision="approved",
        decided_on=DAYS[17] + timedelta(days=5),
        acting_user=personas["univ"],
    )
    case.refresh_from_db()
    assert case.admitted_on == DAYS[17] + timedelta(days=5)


def test_a_rule_takes_its_own_value_for_students(tree: Tree, helpers: Helpers) -> None:
    RuleSetting.objects.create(code="recruitment.talk_months", applies_to="student", value=2)
    rules.invalidate()
    student = walk(applicant(tree.b1, name="学生甲"), through=1, helpers=helpers)
    record(student, 2, date(2023, 4, 20), helpers)
    teacher = walk(
        applicant(tree.b1, name="教师乙", post="professional"), through=1, helpers=helpers
    )
    assert (
        "超过1个月"
        in refused(lambda: record(teacher, 2, date(2023, 4, 20), helpers))["occurred_on"]
    )


def test_a_switched_off_rule_does_not_refuse(tree: Tree, helpers: Helpers) -> None:
    RuleSetting.objects.create(code="recruitment.talk_months", enabled=False)
    rules.invalidate()
    case = upto(tree, helpers, 1)
    record(case, 2, date(2023, 6, 1), helpers)


def test_one_open_case_per_person(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 1)
    assert (
        "已有进行中的发展党员档案"
        in refused(lambda: actions.open_case(case.person, applied_on=DAYS[1], acting_user=None))[
            "__all__"
        ]
    )
    member = helpers.talker
    assert (
        "已是党员"
        in refused(lambda: actions.open_case(member, applied_on=DAYS[1], acting_user=None))[
            "__all__"
        ]
    )


def test_cancel_before_admission_only(tree: Tree, helpers: Helpers) -> None:
    case = upto(tree, helpers, 3)
    assert refused(lambda: actions.cancel_case(case, reason="x", on=DAYS[3], acting_user=None)) == {
        "reason": "请选择终止原因。"
    }
    actions.cancel_case(case, reason="withdrawn", on=DAYS[3], note="本人申请", acting_user=None)
    case.refresh_from_db()
    assert (case.status, case.close_reason, case.next_step) == (
        "cancelled",
        "本人撤回申请：本人申请",
        None,
    )
    admitted = walk(applicant(tree.b1, name="赵六"), through=17, helpers=helpers)
    assert (
        "已接收为预备党员"
        in refused(
            lambda: actions.cancel_case(admitted, reason="withdrawn", on=DAYS[17], acting_user=None)
        )["__all__"]
    )


def test_a_case_is_kept_by_a_branch_or_committee_not_a_party_group(tree: Tree) -> None:
    person = applicant(tree.b1, name="钱七")
    for org in (tree.g1, tree.university):
        with pytest.raises(DomainError) as caught:
            actions.open_case(person, applied_on=DAYS[1], organization=org, acting_user=None)
        assert "请选择党支部" in caught.value.errors["organization"]
    assert not Case.objects.exists()
