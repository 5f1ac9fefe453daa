"""University staff: the whole organization journey, from the home page to the Excel export."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_page(page_as, shot):
    page = page_as(None)
    expect(page.get_by_role("heading", name="党建工作平台")).to_be_visible()
    expect(page.get_by_role("button", name="登 录")).to_be_visible()
    shot(page, "login", readme="login")
    page.get_by_label("用户名").fill("univ")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登 录").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "login-error")


def test_university_staff_journey(page_as, world, defects, date_value, shot):
    page = page_as("univ")

    # Home: figure cards and the pie chart of branch kinds.
    expect(page.locator(".dj-page-title")).to_have_text("湘麓大学委员会")
    expect(page.locator('[data-figure="orgs.total"]')).to_contain_text("55")
    expect(page.locator('[data-figure="orgs.branches"]')).to_contain_text("45")
    expect(page.locator("#chart-kind canvas")).to_be_visible()
    expect(page.get_by_text("待办：逾期未换届")).to_be_visible()
    overdue = page.locator(".card-header", has_text="待办：逾期未换届").locator(".badge")
    defects.check(
        overdue.inner_text() == str(world.overdue_terms()),
        f"首页 待办：逾期未换届 badge says {overdue.inner_text()}, but "
        f"{world.overdue_terms()} terms are overdue (the view cuts the list to 8 and "
        "the template counts the cut list)",
    )
    shot(page, "univ-01-home", readme="home-university")

    # The tree: the top node opens by itself, 文学院党委 opens with the htmx toggle.
    page.locator(".dj-sidebar").get_by_role("link", name="组织架构").click()
    tree = page.get_by_test_id("org-tree")
    expect(tree.get_by_role("link", name="文学院党委")).to_be_visible()
    expect(tree.get_by_role("link", name="文学院教工第一党支部")).to_have_count(0)
    page.get_by_test_id("toggle-C1").click()
    expect(tree.get_by_role("link", name="文学院教工第一党支部")).to_be_visible()
    page.get_by_test_id("toggle-C3").click()
    expect(tree.get_by_role("link", name="物理与电子科学学院教工第一党支部")).to_be_visible()
    shot(page, "univ-02-tree", readme="org-tree")
    page.get_by_test_id("toggle-C3").click()  # and closes again without a request
    expect(tree.get_by_role("link", name="物理与电子科学学院教工第一党支部")).to_be_hidden()

    # Search by pinyin initials.
    page.get_by_placeholder("名称或拼音首字母").fill("wxy")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("“wxy”的搜索结果")).to_be_visible()
    results = page.locator(".list-group-item")
    committee = results.filter(has_text=re.compile(r"基层党委\s+文学院党委"))
    expect(committee).to_have_count(1)  # branches show "· 文学院党委" as their parent
    expect(results.filter(has_text="数学学院研究生党支部")).to_have_count(0)
    shot(page, "univ-03-search-wxy")
    committee.click()

    # Detail of 文学院党委.
    expect(page.locator(".dj-page-title")).to_contain_text("文学院党委")
    expect(page.get_by_text("第6届")).to_be_visible()
    expect(page.get_by_text("李文华 · 书记")).to_be_visible()
    shot(page, "univ-04-detail-c1", readme="org-detail")

    # Set up a branch: an empty name first gives an inline Chinese error.
    page.get_by_role("link", name="设立下级组织").click()
    expect(page.locator(".dj-page-title")).to_have_text("设立党组织")
    expect(page.get_by_label("层级")).to_have_value("branch")
    page.get_by_label("组织编码").fill("C1-B9")
    page.get_by_role("button", name="保存").click()
    name_error = page.locator("#id_name ~ .invalid-feedback")
    expect(name_error).to_be_visible()
    expect(name_error).to_have_text(re.compile(r"[\u4e00-\u9fff]"))
    expect(page.locator("#id_name")).to_have_class(re.compile("is-invalid"))
    shot(page, "univ-05-create-invalid")
    page.locator("#id_name").fill("文学院教工第三党支部")
    page.get_by_label("类型").select_option("teacher")
    page.get_by_label("所在单位").fill("文学院")
    page.get_by_label("成立日期").fill("2024-09-01")
    page.get_by_role("button", name="保存").click()
    expect(
        page.get_by_role("alert").filter(has_text="已设立“文学院教工第三党支部”")
    ).to_be_visible()
    expect(page.locator(".dj-page-title")).to_contain_text("文学院教工第三党支部")
    expect(page.locator(".dj-readonly")).to_contain_text("C1-B9")
    shot(page, "univ-06-created")

    expect(page.locator(".dj-readonly")).to_contain_text("2024年9月1日")

    # Edit: the form shows the stored values, dates included, and keeps them.
    page.get_by_role("link", name="编辑").click()
    if not defects.check(
        date_value(page, "#id_founded_on") == "2024-09-01",
        "编辑党组织: <input type=date> 成立日期 is empty (value rendered as "
        f"{page.locator('#id_founded_on').get_attribute('value')!r}, not ISO) - saving erases it",
    ):
        page.get_by_label("成立日期").fill("2024-09-01")
    page.get_by_label("联系电话").fill("0731-88880000")
    page.get_by_label("样板支部").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_be_visible()
    expect(page.locator(".dj-readonly")).to_contain_text("0731-88880000")

    # Move under 数学与统计学院党委.
    page.get_by_role("button", name="调整").click()
    page.get_by_role("link", name="调整隶属关系").click()
    expect(page.locator(".dj-page-title")).to_contain_text("调整隶属关系")
    page.get_by_label("新的上级党组织").select_option(label="　数学与统计学院党委（基层党委）")
    shot(page, "univ-07-move")
    page.get_by_role("button", name="调整", exact=True).click()
    expect(
        page.get_by_role("alert").filter(has_text="调整到“数学与统计学院党委”之下")
    ).to_be_visible()
    expect(page.locator(".dj-readonly")).to_contain_text("数学与统计学院党委")

    # Dissolve it.
    page.get_by_role("button", name="调整").click()
    page.get_by_role("link", name="撤销").click()
    if not defects.check(
        date_value(page, "#id_on") != "",
        "撤销: the default 撤销日期 (today) "
        f"is not shown: value {page.locator('#id_on').get_attribute('value')!r}",
    ):
        page.get_by_label("撤销日期").fill(str(world.today))
    page.get_by_label("撤销原因").fill("支部党员毕业离校，撤销建制")
    page.get_by_role("button", name="撤销", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="已撤销")).to_be_visible()
    expect(page.locator(".dj-page-title .badge")).to_contain_text(["已撤销"])
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    shot(page, "univ-08-dissolved")

    # Figures, with a drill-down to the records behind a number.
    page.locator(".dj-sidebar").get_by_role("link", name="统计指标").click()
    expect(page.locator(".dj-page-title")).to_have_text("统计指标")
    row = page.locator("tr", has=page.locator('code:text-is("orgs.branches")'))
    expect(row).to_be_visible()
    defects.check(
        date_value(page, "#id_start") != "",
        "统计指标: the period's dates (开始日期/截至日期) "
        f"show empty: value {page.locator('#id_start').get_attribute('value')!r}",
    )
    shot(page, "univ-09-figures")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/orgs/\?.*level=branch"))
    expect(page.locator(".dj-page-title")).to_have_text("党组织列表")
    expect(page.locator("tbody tr").first.locator(".badge-level")).to_have_text("党支部")

    # The list: pagination over the 55 active organizations (the one dissolved above is
    # history, shown only with 状态 = 全部), filters, then the Excel export.
    page.locator(".dj-sidebar").get_by_role("link", name="党组织列表").click()
    expect(page.get_by_text("共 55 条")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(50)
    shot(page, "univ-10-list")
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text("第 2 / 2 页")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_label("层级").select_option("branch")
    page.get_by_label("类型").select_option("graduate")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"level=branch"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(11)
    for badge in rows.locator(".badge-level").all():
        expect(badge).to_have_text("党支部")
    shot(page, "univ-11-list-filtered")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    assert download.failure() is None
    path = download.path()
    assert path.stat().st_size > 1000
    assert path.read_bytes()[:2] == b"PK"  # a zip container: a real workbook
