"""Recruitment (发展党员) journeys: the branch secretary records a step from the worklist and
sends the next one up for review, the committee approves it, and the applicant follows their
own case on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

APPLICANT = "李申请"


def case_at_step_two(world):
    """A case in B1 with steps 1–2 recorded (next: 3. 确定入党积极分子), applied 2023-03-01."""
    from dangjian.recruitment.testing import applicant, helpers_for, walk

    b1 = world.tree.b1
    return walk(applicant(b1, name=APPLICANT), through=2, helpers=helpers_for(b1))


def case_waiting_for_review(world):
    """Steps 1–3 recorded; step 4 (报上级党委备案) submitted by the secretary to C1."""
    from datetime import date

    from dangjian.recruitment import actions
    from dangjian.recruitment.testing import applicant, helpers_for, walk

    b1 = world.tree.b1
    case = walk(applicant(b1, name=APPLICANT), through=3, helpers=helpers_for(b1))
    actions.record_step(
        case, 4, occurred_on=date(2023, 5, 6), acting_user=world.personas["secretary"]
    )
    case.refresh_from_db()
    return case


def test_secretary_records_a_step_and_sends_the_next_for_review(page_as, world, shot):
    case = case_at_step_two(world)
    page = page_as("secretary")
    page.goto("/recruitment/worklist/")
    # Step 3 has no due date (plan.deadlines), so the case is in no section, only counted in
    # its stage: the secretary follows the stage card to the list.
    stage = page.get_by_test_id("stages").get_by_role(
        "link", name=re.compile("入党积极分子的确定和培养教育")
    )
    expect(stage).to_contain_text("1")
    shot(page, "recruitment-01-secretary-worklist")

    stage.click()
    table = page.get_by_test_id("case-table")
    table.get_by_role("link", name=APPLICANT).click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/$"))
    expect(page.get_by_test_id("case-standing")).to_contain_text("3. 确定入党积极分子")
    shot(page, "recruitment-02-secretary-case")

    page.get_by_test_id("record-next").click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/steps/3/$"))
    form = page.get_by_test_id("case-form")
    form.get_by_label("确定日期").fill("2023-05-01")
    form.get_by_label("推荐方式").select_option(label="团组织推优")
    form.get_by_label("决定会议").select_option(label="支部委员会")
    shot(page, "recruitment-03-step3-form")
    form.get_by_role("button", name="登记").click()

    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/$"))
    expect(page.get_by_role("alert").first).to_contain_text("已登记第3步")
    step3 = page.get_by_test_id("step-3")
    expect(step3).to_have_class(re.compile(r"\bdone\b"))
    expect(step3).to_contain_text("2023-05-01")
    expect(step3).to_contain_text("团组织推优")
    expect(page.get_by_test_id("case-standing")).to_contain_text("4. 报上级党委备案")
    shot(page, "recruitment-04-step3-done")

    # Step 4 (报上级党委备案) is reviewed by the committee: it waits for 文学院党委.
    page.get_by_test_id("record-next").click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/steps/4/$"))
    expect(page.get_by_text("本步骤登记后报上级党组织审核")).to_be_visible()
    page.get_by_test_id("case-form").get_by_label("报备日期").fill("2023-05-06")
    page.get_by_test_id("case-form").get_by_role("button", name="登记").click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/$"))
    standing = page.get_by_test_id("case-standing")
    expect(standing).to_contain_text("文学院党委")
    expect(standing).to_contain_text("正在等待文学院党委审核")
    expect(page.get_by_test_id("step-4")).to_contain_text("待审核")
    expect(page.get_by_test_id("record-next")).to_have_count(0)  # nothing to record meanwhile
    expect(page.get_by_test_id("review")).to_have_count(0)  # the branch does not review
    shot(page, "recruitment-05-step4-waiting", readme="recruitment-case")


def test_committee_approves_the_waiting_step(page_as, world, shot):
    case = case_waiting_for_review(world)
    page = page_as("committee")
    page.goto("/recruitment/worklist/")
    waiting = page.get_by_test_id("section-waiting")
    expect(waiting.get_by_role("link", name=APPLICANT)).to_be_visible()
    expect(waiting).to_contain_text("第4步")
    shot(page, "recruitment-06-committee-worklist", readme="recruitment-worklist")

    waiting.get_by_role("link", name=APPLICANT).click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/$"))
    page.get_by_test_id("review").click()
    form = page.get_by_test_id("case-form")
    expect(form.get_by_label("同意")).to_be_checked()
    form.get_by_label("审核日期").fill("2023-05-10")
    shot(page, "recruitment-07-review-form")
    form.get_by_role("button", name="提交审核意见").click()

    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/$"))
    expect(page.get_by_role("alert").first).to_contain_text("已审核")
    expect(page.get_by_test_id("step-4").get_by_test_id("reviews")).to_contain_text("同意")
    expect(page.get_by_test_id("step-5")).to_have_class(re.compile(r"\bnext\b"))
    expect(page.get_by_test_id("case-standing")).to_contain_text("5. 指定培养联系人")
    expect(page.get_by_test_id("case-standing")).not_to_contain_text("待审核")
    shot(page, "recruitment-08-approved")

    case.refresh_from_db()
    assert case.next_step == 5
    assert case.waiting_organization is None


def test_applicant_follows_own_case_on_a_phone(page_as, world, fits_width, shot):
    case = case_at_step_two(world)
    case.person.user = world.personas["member"]
    case.person.save(update_fields=["user"])

    page = page_as("member", viewport="phone")
    page.goto("/recruitment/")
    table = page.get_by_test_id("case-table")
    expect(table.get_by_role("link", name=APPLICANT)).to_be_visible()
    expect(page.get_by_test_id("case-open")).to_have_count(0)  # members open no cases
    fits_width(page)
    shot(page, "recruitment-09-member-list-phone")

    table.get_by_role("link", name=APPLICANT).click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{case.pk}/$"))
    expect(page.get_by_test_id("case-header")).to_contain_text(APPLICANT)
    expect(page.get_by_test_id("case-standing")).to_contain_text("3. 确定入党积极分子")
    expect(page.get_by_test_id("step-2")).to_have_class(re.compile(r"\bdone\b"))
    for testid in ("record-next", "review", "cancel-case"):
        expect(page.get_by_test_id(testid)).to_have_count(0)  # read only
    fits_width(page)
    shot(page, "recruitment-10-member-case-phone", readme="recruitment-self-service")

    # Another applicant's case in the same branch stays out of reach.
    from dangjian.recruitment.testing import applicant, helpers_for, walk

    other = walk(
        applicant(world.tree.b1, name="王另一", staff_no="S2"),
        through=1,
        helpers=helpers_for(world.tree.b1, serial=950),
    )
    assert page.goto(f"/recruitment/{other.pk}/").status == 404
    assert page.goto(f"/recruitment/{case.pk}/steps/3/").status in (403, 404)
