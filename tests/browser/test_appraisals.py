"""Appraisal journeys (评议测评): a branch secretary runs the democratic appraisal of B1 from the
campaign form to publication; members vote on phones (one with an account, one with a
printed code); the results, the 1/3 quota and the member's own grade come out right."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

B1_NAME = "文学院教工第一党支部"


def b1_members(world):
    """Five full members and one probationary member of B1; the member persona is 王建国,
    voter1 is 李红梅 (both with accounts), the others have none."""
    from dangjian.accounts.models import RoleGrant, User
    from dangjian.core.roles import RoleKind
    from dangjian.core.testing.personas import make_user
    from dangjian.members.models import Person
    from dangjian.members.testing import make_person

    names = ["王建国", "李红梅", "张志强", "刘晓燕", "陈思远"]
    people = [
        make_person(world.tree.b1, name=name, staff_no=f"BA{n}", birth_date=date(1985, 1, 1 + n))
        for n, name in enumerate(names)
    ]
    people.append(
        make_person(
            world.tree.b1,
            name="周预备",
            staff_no="BA9",
            birth_date=date(2001, 5, 1),
            category="probationary",
            joined_on=world.today - timedelta(days=120),
            converted_on=None,
        )
    )
    Person.objects.filter(pk=people[0].pk).update(user=User.objects.get(username="member"))
    voter1 = make_user("voter1", RoleKind.MEMBER, world.tree.b1)
    Person.objects.filter(pk=people[1].pk).update(user=voter1)
    assert RoleGrant.objects.filter(user__username="member").exists()
    return people


def vote_on_phone(page, *, excellent: str) -> str:
    """From 我的评议: everyone 合格, `excellent` 优秀; submit; the receipt code shown."""
    page.get_by_test_id("go-vote").first.click()
    expect(page.get_by_test_id("ballot-card").first).to_be_visible()
    page.locator("[data-fill-value=qualified]").first.click()
    card = page.get_by_test_id("ballot-card").filter(has_text=excellent)
    card.locator("label", has_text="优秀").click()
    page.get_by_test_id("ballot-submit").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    return page.get_by_test_id("receipt-code").inner_text().strip()


def test_secretary_runs_the_democratic_appraisal_of_a_branch(page_as, world, shot, fits_width):
    from dangjian.appraisals.actions import reveal_code
    from dangjian.appraisals.models import Ballot, Campaign, Subject

    b1_members(world)
    now = world.today
    secretary = page_as("secretary")
    secretary.locator(".dj-sidebar").get_by_role("link", name="评议测评").click()
    expect(secretary).to_have_url(re.compile(r"/appraisals/$"))
    secretary.get_by_test_id("campaign-add").click()
    form = secretary.get_by_test_id("campaign-form")
    form.get_by_label("党组织").select_option(label=B1_NAME)
    form.get_by_label("测评类型").select_option(label="民主评议党员")
    form.get_by_label("名称").fill(f"{now.year - 1}年度民主评议党员")
    form.get_by_label("评议年度").fill(str(now.year - 1))
    start = world.today - timedelta(days=1)
    form.get_by_label("投票开始时间").fill(f"{start.isoformat()}T08:00")
    form.get_by_label("投票截止时间").fill(f"{(now + timedelta(days=2)).isoformat()}T18:00")
    form.get_by_label("评议对象来源").select_option(label="本组织全体党员")
    form.get_by_label("投票人来源").select_option(label="本组织全体党员")
    form.get_by_label("投票码数量").fill("2")
    shot(secretary, "appraisals-01-campaign-form")
    form.get_by_role("button", name="发起").click()
    expect(secretary).to_have_url(re.compile(r"/appraisals/\d+/$"))
    campaign = Campaign.objects.get(organization=world.tree.b1)
    assert campaign.subjects.count() == 6 and campaign.subjects.filter(graded=False).count() == 1
    assert campaign.voters.count() == 6 and campaign.codes.count() == 2
    secretary.get_by_test_id("op-open").click()
    expect(secretary.get_by_role("alert").first).to_contain_text("已开始投票")
    expect(secretary.get_by_test_id("turnout")).to_contain_text("0")
    shot(secretary, "appraisals-02-campaign-voting")

    member = page_as("member", viewport="phone")
    member.get_by_role("button", name="菜单").click()
    member.locator("#dj-menu").get_by_role("link", name="我的评议").click()
    expect(member).to_have_url(re.compile(r"/appraisals/mine/$"))
    shot(member, "appraisals-03-mine-phone")
    member.get_by_test_id("go-vote").first.click()
    fits_width(member)
    shot(member, "appraisals-04-ballot-phone")
    member.go_back()
    receipt = vote_on_phone(member, excellent="王建国")
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", receipt), receipt
    shot(member, "appraisals-05-receipt-phone")
    member.goto(f"/appraisals/{campaign.pk}/vote/")
    expect(member.locator("main")).to_contain_text("您已投票")

    voter1 = page_as("voter1", viewport="phone")
    voter1.goto("/appraisals/mine/")
    vote_on_phone(voter1, excellent="王建国")

    code = reveal_code(campaign.codes.get(serial=1))
    slip = page_as(None, viewport="phone")
    slip.goto(f"/appraisals/code/vote/?code={code}")
    expect(slip.get_by_test_id("ballot-card").first).to_be_visible()
    slip.locator("[data-fill-value=qualified]").first.click()
    slip.get_by_test_id("ballot-card").filter(has_text="李红梅").locator(
        "label", has_text="优秀"
    ).click()
    slip.get_by_test_id("ballot-submit").click()
    expect(slip.get_by_test_id("receipt")).to_be_visible()
    slip.goto(f"/appraisals/code/vote/?code={code}")
    expect(slip.locator("body")).to_contain_text("已使用")
    assert Ballot.objects.filter(campaign=campaign).count() == 3

    secretary.reload()
    expect(secretary.get_by_test_id("turnout")).to_contain_text("3")
    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.get_by_test_id("op-close").click()
    expect(secretary.get_by_role("alert").first).to_contain_text("已结束投票并完成计票")
    secretary.get_by_test_id("results-link").click()
    expect(secretary.get_by_test_id("turnout")).to_contain_text("3")
    grades = secretary.get_by_test_id("results-question").filter(has_text="评议等次")
    expect(grades.locator("tr", has_text="王建国")).to_contain_text("2 66.67%")
    expect(grades.locator("tr", has_text="李红梅")).to_contain_text("1 33.33%")
    proposals = secretary.get_by_test_id("results-grades")
    expect(proposals.locator("tr", has_text="王建国")).to_contain_text("优秀")
    expect(secretary.get_by_test_id("quota-graded")).to_contain_text("5")
    expect(secretary.get_by_test_id("quota-allowed")).to_contain_text("1")
    shot(secretary, "appraisals-06-results")

    proposed = dict(Subject.objects.filter(campaign=campaign).values_list("name", "proposed_grade"))
    assert proposed["王建国"] == "excellent" and proposed["李红梅"] == "qualified"
    assert proposed["周预备"] == ""
    secretary.goto(f"/appraisals/{campaign.pk}/decide/")
    table = secretary.get_by_test_id("decide-table")
    table.locator("tr", has_text="李红梅").locator("select").select_option(label="优秀")
    secretary.get_by_test_id("decide-submit").click()
    expect(secretary.get_by_test_id("decide-errors")).to_contain_text("超过参评正式党员的1/3")
    shot(secretary, "appraisals-07-decide-quota")
    table = secretary.get_by_test_id("decide-table")
    table.locator("tr", has_text="李红梅").locator("select").select_option(label="合格")
    secretary.get_by_test_id("decide-submit").click()
    expect(secretary).to_have_url(re.compile(rf"/appraisals/{campaign.pk}/"))
    campaign.refresh_from_db()
    assert campaign.phase == "decided"
    secretary.goto(f"/appraisals/{campaign.pk}/")
    secretary.get_by_test_id("op-publish").click()
    expect(secretary.get_by_role("alert").first).to_contain_text("已公示评议结果")

    member.goto("/appraisals/mine/")
    expect(member.get_by_test_id("mine-grade").first).to_contain_text("优秀")
    shot(member, "appraisals-08-mine-published")
