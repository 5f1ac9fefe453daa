"""Committee staff, branch secretary, member and outsider: each sees its own part of the tree."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_committee_staff_sees_only_its_subtree(page_as, world, shot):
    tree = world.tree
    page = page_as("committee")
    expect(page.locator(".dj-page-title")).to_have_text("文学院党委")
    expect(page.locator('[data-figure="orgs.branches"]')).to_contain_text("2")
    shot(page, "committee-01-home")

    page.locator(".dj-sidebar").get_by_role("link", name="组织架构").click()
    org_tree = page.get_by_test_id("org-tree")
    expect(org_tree.get_by_role("link", name="文学院教工第一党支部")).to_be_visible()
    expect(org_tree.get_by_role("link", name="文学院党委")).to_be_visible()
    expect(org_tree.get_by_text("湘麓大学委员会")).to_have_count(0)
    expect(org_tree.get_by_text("数学与统计学院党委")).to_have_count(0)
    shot(page, "committee-02-tree")

    page.locator(".dj-sidebar").get_by_role("link", name="党组织列表").click()
    expect(page.get_by_text("共 4 条")).to_be_visible()
    codes = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(codes) == ["C1", "C1-B1", "C1-B1-G1", "C1-B2"], codes
    shot(page, "committee-03-list")

    # C2's branch does not exist for this user.
    response = page.goto(f"/orgs/{tree.b3.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("数学学院研究生党支部")).to_have_count(0)
    shot(page, "committee-04-404")


def test_secretary_registers_new_term(
    page_as, world, defects, fits_width, date_value, old_term, shot
):
    tree = world.tree
    old_term(tree.b1, overdue_days=100, secretary="刘洋")
    page = page_as("secretary")
    expect(page.locator(".dj-page-title")).to_have_text("文学院教工第一党支部")
    expect(page.get_by_text("文学院教工第一党支部 第1届")).to_be_visible()  # the overdue to-do
    shot(page, "secretary-01-home")

    page.locator(".dj-sidebar").get_by_role("link", name="组织架构").click()
    page.get_by_test_id("org-tree").get_by_role("link", name="文学院教工第一党支部").click()
    warning = page.locator('[data-rule="org.term.overdue"]')
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("逾期100天未换届")
    expect(page.get_by_role("link", name="编辑")).to_be_visible()
    expect(page.get_by_role("button", name="调整")).to_have_count(0)  # structure: the committee's
    shot(page, "secretary-02-branch-overdue")

    page.get_by_role("link", name="登记换届").click()
    expect(page.locator(".dj-page-title")).to_have_text("登记换届：文学院教工第一党支部")
    page.get_by_label("选举日期").fill(str(world.today))
    page.get_by_label("任期（年）").fill("3")
    shot(page, "secretary-03-term-form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="已登记换届")).to_be_visible()
    expect(page.locator('[data-rule="org.term.overdue"]')).to_have_count(0)
    expect(page.get_by_text("第2届")).to_be_visible()
    expect(page.get_by_text("刘洋 · 书记")).to_be_visible()  # in the closed first term

    page.get_by_role("link", name="添加委员").click()
    page.get_by_label("姓名").fill("王明")
    page.get_by_label("职务").select_option(label="书记")
    page.get_by_label("任职日期").fill(str(world.today))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="已添加委员")).to_be_visible()
    current = page.locator("div.mb-3", has=page.get_by_text("本届"))
    expect(current.get_by_text("王明 · 书记")).to_be_visible()
    shot(page, "secretary-04-branch-renewed")

    # Correcting the term starts from the stored election date.
    current.get_by_role("link", name="修改").click()
    defects.check(
        date_value(page, "#id_elected_on") == str(world.today),
        "修改届次: 选举日期 shows empty (value "
        f"{page.locator('#id_elected_on').get_attribute('value')!r}), so saving fails",
    )
    page.get_by_role("link", name="取消").click()

    # The same pages at phone width.
    phone = page_as("secretary", viewport="phone")
    expect(phone.locator(".dj-page-title")).to_have_text("文学院教工第一党支部")
    fits_width(phone)
    shot(phone, "secretary-05-phone-home")
    phone.goto(f"/orgs/{tree.b1.pk}/")
    expect(phone.get_by_text("王明 · 书记")).to_be_visible()
    fits_width(phone)
    shot(phone, "secretary-06-phone-branch")


def test_member_on_a_phone(page_as, world, fits_width, old_term, shot):
    tree = world.tree
    term = old_term(tree.b1, overdue_days=-400, secretary="王明")  # a current term
    assert term.ends_on > world.today
    page = page_as("member", viewport="phone")
    card = page.locator(".card", has=page.get_by_text("我的党支部"))
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="文学院教工第一党支部")).to_be_visible()
    expect(card).to_contain_text("支部书记：王明")
    expect(card).to_contain_text("隶属 文学院党委")
    expect(page.locator(".dj-sidebar").first).to_be_hidden()  # the side menu folds away
    fits_width(page)
    shot(page, "member-01-phone-home", readme="member-home-phone")

    page.get_by_role("button", name="菜单").click()
    menu = page.locator("#dj-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="组织架构")).to_be_visible()
    expect(menu.get_by_role("link", name="统计指标")).to_have_count(0)
    shot(page, "member-02-phone-menu")
    menu.get_by_role("link", name="组织架构").click()
    expect(
        page.get_by_test_id("org-tree").get_by_role("link", name="文学院教工第一党支部")
    ).to_be_visible()
    fits_width(page)
    shot(page, "member-03-phone-tree")

    page.get_by_test_id("org-tree").get_by_role("link", name="文学院教工第一党支部").click()
    expect(page.locator(".dj-page-title")).to_contain_text("文学院教工第一党支部")
    for label in ("编辑", "设立下级组织", "登记换届", "添加委员", "修改"):
        expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="调整")).to_have_count(0)
    fits_width(page)
    shot(page, "member-04-phone-branch")


def test_outsider_gets_404_on_other_committee(page_as, world, shot):
    tree = world.tree
    page = page_as("outsider")
    expect(page.locator(".dj-page-title")).to_have_text("数学与统计学院党委")
    for url in (
        f"/orgs/{tree.c1.pk}/",
        f"/orgs/{tree.b1.pk}/",
        f"/orgs/{tree.b1.pk}/edit/",
        f"/orgs/tree/{tree.c1.pk}/children/",
    ):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    shot(page, "outsider-01-404")
    page.goto("/orgs/?q=wxy")
    expect(page.get_by_text("没有符合条件的党组织。")).to_be_visible()
    page.goto("/orgs/")
    expect(page.locator("tbody")).not_to_contain_text("文学院")
    expect(page.locator("tbody")).to_contain_text(re.compile("数学学院研究生党支部"))
