"""Member registry journeys: the secretary keeps the branch's roll, the committee receives a
transfer and reveals an ID number, the member uses the self-service page on a phone, and the
outsider sees nothing of another committee's people."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROLL = [
    ("张三", "male", date(1988, 4, 2), "full"),
    ("张思远", "male", date(1992, 9, 18), "full"),
    ("王丽", "female", date(1995, 1, 6), "probationary"),
    ("赵敏", "female", date(1990, 12, 30), "full"),
]


def fill_roll(world) -> dict[str, object]:
    """A few people in B1 (one linked to the member persona), one in C2's branch."""
    from dangjian.members.testing import make_person

    people = {}
    for name, gender, birth, category in ROLL:
        people[name] = make_person(
            world.tree.b1,
            name=name,
            gender=gender,
            birth_date=birth,
            category=category,
            joined_on=date(2015, 6, 1),
            converted_on=date(2016, 6, 1) if category == "full" else None,
            applied_on=date(2014, 3, 1),
            activist_on=date(2014, 9, 1),
            candidate_on=date(2015, 3, 1),
        )
    people["李华"] = make_person(world.tree.b1, name="李华", birth_date=date(1991, 5, 20))
    people["李华"].user = world.personas["member"]
    people["李华"].save(update_fields=["user"])
    people["孙强"] = make_person(world.tree.b3, name="孙强")
    return people


def test_secretary_keeps_the_branch_roll(page_as, world, shot):
    people = fill_roll(world)
    page = page_as("secretary")
    page.locator(".dj-sidebar").get_by_role("link", name="党员名册").click()
    table = page.get_by_test_id("person-table")
    expect(table.get_by_role("link", name="张三")).to_be_visible()
    expect(table.get_by_text("孙强")).to_have_count(0)  # another committee's branch
    shot(page, "members-01-secretary-roll", readme="members-list")

    page.get_by_test_id("person-filters").get_by_label("搜索").fill("zs")
    page.get_by_role("button", name="查询").click()
    names = sorted(table.locator("tbody tr td:first-child a").all_inner_texts())
    assert names == ["张三", "张思远"], names

    table.get_by_role("link", name="张三").click()
    header = page.get_by_test_id("person-header")
    expect(header).to_contain_text("张三")
    plain = people["张三"].reveal_id_number()
    expect(page.get_by_text(people["张三"].id_masked)).to_be_visible()
    assert plain not in page.content()
    expect(page.get_by_role("button", name="查看")).to_have_count(0)  # no REVEAL for secretaries
    shot(page, "members-02-secretary-detail", readme="member-detail")

    # Issue a transfer letter to the neighbouring branch.
    page.get_by_test_id("lifecycle-menu").click()
    page.get_by_role("link", name="开具组织关系介绍信").click()
    page.get_by_label("介绍信编号").fill("文党转〔2026〕12号")
    page.get_by_label(re.compile("校内转接")).check()
    page.get_by_label("转入党组织").select_option(str(world.tree.b2.pk))
    shot(page, "members-03-transfer-form")
    page.get_by_role("button", name=re.compile("保存|开具|提交")).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("文党转〔2026〕12号")

    # Register a new member with a bad ID number first: refused, nothing saved.
    page.goto("/members/add/")
    page.get_by_label(re.compile("^姓名")).fill("周新")
    page.get_by_label(re.compile("^身份证号")).fill("430102199001011234")
    page.get_by_label(re.compile("^所在党组织")).select_option(str(world.tree.b1.pk))
    page.get_by_label(re.compile("^人员类别")).select_option("full")
    page.get_by_label("入党日期").fill("2015-06-01")
    page.get_by_label("转正日期").fill("2016-06-01")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("校验位不符")).to_be_visible()
    shot(page, "members-04-form-error")

    from dangjian.members.testing import make_id_number

    page.get_by_label(re.compile("^身份证号")).fill(
        make_id_number(date(1993, 2, 3), "female").lower()
    )
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("person-header")).to_contain_text("周新")
    expect(page.get_by_test_id("person-header")).to_contain_text("正式党员")


def test_committee_receives_a_transfer_and_reveals_an_id_number(page_as, world, shot):
    from dangjian.members import actions

    people = fill_roll(world)
    actions.issue_transfer(
        people["王丽"],
        direction="internal",
        letter_no="文党转〔2026〕15号",
        issued_on=world.today,
        to_organization=world.tree.b2,
        acting_user=None,
    )
    page = page_as("committee")
    page.locator(".dj-sidebar").get_by_role("link", name="组织关系转接").click()
    expect(page.get_by_text("文党转〔2026〕15号")).to_be_visible()
    shot(page, "members-05-transfers")
    page.get_by_role("link", name=re.compile("王丽|文党转〔2026〕15号")).first.click()
    page.get_by_role("link", name="接收").click()
    page.get_by_role("button", name=re.compile("接收|保存|确认")).click()
    expect(page.get_by_text("已接收").first).to_be_visible()

    page.goto(f"/members/{people['张三'].pk}/")
    plain = people["张三"].reveal_id_number()
    page.get_by_role("button", name="查看").first.click()
    expect(page.get_by_text(plain)).to_be_visible()
    shot(page, "members-06-revealed")

    from dangjian.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="security.reveal", success=True).exists()


def test_member_sees_own_record_on_a_phone(page_as, world, fits_width, shot):
    people = fill_roll(world)
    page = page_as("member", viewport="phone")
    page.goto("/members/me/")
    expect(page.get_by_text("李华").first).to_be_visible()
    expect(page.get_by_text(people["李华"].id_masked)).to_be_visible()
    fits_width(page)
    shot(page, "members-07-member-phone", readme="member-self-service")

    page.get_by_test_id("correction-request").click()
    page.get_by_label(re.compile("需更正的项目|项目")).select_option("address")
    page.get_by_label(re.compile("应更正为")).fill("长沙市岳麓区麓山南路36号")
    page.get_by_role("button", name=re.compile("提交")).click()
    expect(page.get_by_text("待处理").first).to_be_visible()
    fits_width(page)
    shot(page, "members-08-member-correction")


def test_outsider_sees_none_of_another_committees_people(page_as, world):
    people = fill_roll(world)
    page = page_as("outsider")
    page.goto("/members/")
    table = page.get_by_test_id("person-table")
    expect(table.get_by_role("link", name="孙强")).to_be_visible()
    expect(table.get_by_text("张三")).to_have_count(0)
    response = page.goto(f"/members/{people['张三'].pk}/")
    assert response.status == 404
    export = page.request.get("/members/?export=xlsx&q=zs")
    assert export.status == 200
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(export.body())).active.iter_rows(values_only=True))
    assert not any("张" in str(cell) for row in rows for cell in row if cell), rows
