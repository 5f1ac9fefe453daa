"""Organizational life (组织生活) journeys: the branch secretary records a month of meetings and
their attendance (desktop, then phone), a member checks in by QR code on a phone, and the
college committee follows its branches' compliance, statistics and monthly reports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

B1_NAME = "文学院教工第一党支部"
B2_NAME = "文学院本科生第一党支部"
# htmx polls the check-in screen every few seconds (orglife.checkin_rotation, at most 5 s).
POLL_TIMEOUT_MS = 20_000


def b1_with_committee(world, count: int = 6):
    """`count` members in B1, the first five of them its current committee (支委)."""
    from dangjian.orglife.testing import members
    from dangjian.orgs.models import CommitteeMember, CommitteeTerm

    people = members(world.tree.b1, count)
    elected = world.today - timedelta(days=400)
    term = CommitteeTerm.objects.create(
        organization=world.tree.b1,
        number=2,
        elected_on=elected,
        term_years=3,
        ends_on=elected.replace(year=elected.year + 3),
    )
    for person, position in zip(
        people,
        ("secretary", "deputy_secretary", "organization", "publicity", "discipline"),
        strict=False,
    ):
        CommitteeMember.objects.create(
            term=term, name=person.name, position=position, person=person, started_on=elected
        )
    return people


def fill_event(form, *, kind: str, title: str, day, start: str = "14:30", end: str = "16:00"):
    """The common fields of the event form (organization B1, status 已召开)."""
    form.get_by_label("党组织").select_option(label=B1_NAME)
    form.get_by_label("类型").select_option(label=kind)
    form.get_by_label("主题").fill(title)
    form.get_by_label("状态").select_option(label="已召开")
    form.get_by_label("日期").fill(day.isoformat())
    form.get_by_label("开始时间").fill(start)
    form.get_by_label("结束时间").fill(end)
    form.get_by_label("地点").fill("文学院党员活动室（人文楼 305）")
    form.get_by_label("主持人").fill("党员5000")
    form.get_by_label("记录人").fill("党员5001")


def mark_sheet(page, *, leave: str, absent: str, reason: str) -> None:
    """全部出席, then one 请假 (with its reason) and one 缺席; saved from the sheet."""
    sheet = page.get_by_test_id("attendance-form")
    sheet.get_by_test_id("all-present").click()
    on_leave = sheet.locator("[data-row]").filter(has_text=leave)
    on_leave.locator("label", has_text="请假").click()
    expect(on_leave.get_by_label("请假原因")).to_be_visible()
    on_leave.get_by_label("请假原因").fill(reason)
    sheet.locator("[data-row]").filter(has_text=absent).locator("label", has_text="缺席").click()


def expect_counts(page, *, expected: int, present: int, leave: int, absent: int) -> None:
    summary = page.get_by_test_id("attendance-summary")
    cells = summary.locator(".col-4")
    for index, (value, label) in enumerate(
        ((expected, "应到"), (present, "实到"), (leave, "请假"), (absent, "缺席"))
    ):
        expect(cells.nth(index)).to_contain_text(label)
        expect(cells.nth(index).locator(".fs-4")).to_have_text(str(value))


def test_secretary_records_a_month_of_events(page_as, world, shot, fits_width, defects):
    from dangjian.orglife.models import Event

    b1_with_committee(world, 6)
    today = world.today
    page = page_as("secretary")
    page.locator(".dj-sidebar").get_by_role("link", name="组织生活记录").click()
    expect(page).to_have_url(re.compile(r"/orglife/events/$"))
    expect(page.get_by_test_id("event-table")).to_contain_text("没有符合条件的组织生活记录")

    meetings = [
        ("主题党日", "学习贯彻党的二十届四中全会精神主题党日", today - timedelta(days=5), 6),
        ("支委会", "十一月支委会：研究发展党员和党费收缴工作", today - timedelta(days=4), 5),
        ("党课", "书记讲党课：赓续红色血脉 勇担育人使命", today - timedelta(days=3), 6),
    ]
    for index, (kind, title, day, expected) in enumerate(meetings):
        page.get_by_test_id("event-add").click()
        expect(page).to_have_url(re.compile(r"/orglife/events/add/$"))
        form = page.get_by_test_id("event-form")
        fill_event(form, kind=kind, title=title, day=day)
        if kind == "支委会":
            expect(form.get_by_label("第一议题学习内容")).to_be_visible()
            expect(form.get_by_label("主讲人", exact=True)).to_be_hidden()
            form.get_by_label("第一议题学习内容").fill(
                "学习习近平总书记关于教育的重要论述，结合学院工作交流体会。"
            )
        if kind == "党课":
            expect(form.get_by_label("主讲人", exact=True)).to_be_visible()
            form.get_by_label("主讲人", exact=True).fill("党员5000")
            form.get_by_label("主讲人层级").select_option(label="党组织书记")
            form.get_by_label("议程").fill("一、讲授党课\n二、交流研讨\n三、支部书记总结")
            page.evaluate("window.scrollTo(0, 0)")
            shot(page, "orglife-02-event-form")
        form.get_by_role("button", name="保存").click()

        expect(page).to_have_url(re.compile(r"/orglife/events/\d+/$"))
        expect(page.get_by_role("alert").first).to_contain_text("已保存组织生活记录")
        event = Event.objects.get(title=title)
        assert event.status == "held" and event.expected_count == expected, event
        expect_counts(page, expected=expected, present=0, leave=0, absent=expected)

        page.get_by_test_id("record-attendance").click()
        expect(page).to_have_url(re.compile(rf"/orglife/events/{event.pk}/attendance/$"))
        mark_sheet(page, leave="党员5001", absent="党员5002", reason="赴外地参加学术会议")
        if index == 0:
            shot(page, "orglife-03-attendance-sheet")
        page.get_by_test_id("save-attendance").click()
        expect(page).to_have_url(re.compile(rf"/orglife/events/{event.pk}/$"))
        expect(page.get_by_role("alert").first).to_contain_text(
            f"已登记出勤：实到{expected - 2}人，请假1人，缺席1人。"
        )
        expect_counts(page, expected=expected, present=expected - 2, leave=1, absent=1)
        table = page.get_by_test_id("attendance-table")
        expect(table.locator("tr", has_text="党员5001")).to_contain_text("赴外地参加学术会议")
        expect(table.locator("tr", has_text="党员5002")).to_contain_text("缺席")
        if kind == "支委会":
            expect(page.get_by_test_id("attendance-summary")).to_contain_text("达到法定人数")
            expect(page.get_by_text("第一议题学习内容")).to_be_visible()
        if kind == "党课":
            expect(page.get_by_test_id("event-basics")).to_contain_text("党员5000（党组织书记）")
            shot(page, "orglife-04-event-detail")
        page.locator(".dj-sidebar").get_by_role("link", name="组织生活记录").click()

    table = page.get_by_test_id("event-table")
    for _kind, title, _day, _expected in meetings:
        expect(table.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_test_id("event-totals")).to_contain_text("共 3 次活动")
    # Person-times: 4 of 6 + 3 of 5 (a quorum) + 4 of 6 present.
    expect(page.get_by_test_id("event-totals")).to_contain_text("参加 11 人次")
    shot(page, "orglife-01-event-list")
    # 查询 without choosing anything keeps every event (the type filter offers 全部类型).
    page.get_by_test_id("event-filters").get_by_role("button", name="查询").click()
    defects.check(
        page.get_by_test_id("event-table").get_by_role("link").count() == 3,
        "组织生活记录: the 类型 filter has no 全部类型 option, so 查询 with nothing chosen "
        "filters to 支部党员大会 (orglife/filters.py: MultipleChoiceFilter replaces the "
        "widget's choices)",
    )

    # A meeting in the future cannot be recorded as held.
    page.get_by_test_id("event-add").click()
    form = page.get_by_test_id("event-form")
    fill_event(form, kind="主题党日", title="下月主题党日", day=today + timedelta(days=7))
    form.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/orglife/events/add/$"))
    expect(form.locator("[data-field=status]")).to_contain_text(
        "活动开始时间在将来，不能标记为“已召开”；请选择“计划召开”。"
    )
    expect(form.get_by_label("主题")).to_have_value("下月主题党日")  # nothing lost
    shot(page, "orglife-05-future-refused")
    assert not Event.objects.filter(title="下月主题党日").exists()

    # The same secretary on a phone: one more meeting and its sheet.
    phone = page_as("secretary", viewport="phone")
    phone.goto("/orglife/events/")
    fits_width(phone)
    shot(phone, "orglife-06-event-list-phone")
    phone.get_by_test_id("event-add").click()
    form = phone.get_by_test_id("event-form")
    fill_event(
        form,
        kind="集中学习研讨",
        title="集中学习研讨：新时代高校党建",
        day=today - timedelta(days=2),
    )
    fits_width(phone)
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "orglife-07-event-form-phone")
    form.get_by_role("button", name="保存").click()
    expect(phone).to_have_url(re.compile(r"/orglife/events/\d+/$"))
    event = Event.objects.get(title="集中学习研讨：新时代高校党建")
    phone.get_by_test_id("record-attendance").click()
    mark_sheet(phone, leave="党员5003", absent="党员5004", reason="因病请假")
    fits_width(phone)
    shot(phone, "orglife-08-attendance-sheet-phone")
    phone.get_by_test_id("save-attendance").click()
    expect(phone).to_have_url(re.compile(rf"/orglife/events/{event.pk}/$"))
    expect_counts(phone, expected=6, present=4, leave=1, absent=1)
    fits_width(phone)
    shot(phone, "orglife-09-event-detail-phone")
    event.refresh_from_db()
    assert (event.present_count, event.leave_count, event.absent_count) == (4, 1, 1)


def scan_url(host, event) -> str:
    """The address the host screen's QR code encodes (read back by matching the code drawn).

    The page does not print the address (it would be a forwardable link), so the test draws
    the codes of the tokens around now (views.checkin._qr_svg) and keeps the one on screen.
    """
    from django.urls import reverse
    from django.utils import timezone

    from dangjian.orglife import checkin
    from dangjian.orglife.views.checkin import _qr_svg

    drawn = host.get_by_test_id("qr").locator("svg path").first.get_attribute("d")
    now, base = timezone.now(), host.url.split("/orglife/")[0]
    for shift in (0, -1, 1, -2):
        token = checkin.token_for(event, now + timedelta(seconds=shift * checkin.rotation()))
        url = f"{base}{reverse('orglife:checkin')}?t={token}"
        if f'd="{drawn}"' in str(_qr_svg(url)):
            return url
    raise AssertionError("the QR code on the host screen encodes no current check-in address")


def test_member_checks_in_by_qr_on_a_phone(page_as, world, shot, fits_width):
    from django.utils import timezone

    from dangjian.members.models import Person
    from dangjian.orglife.choices import EventKind, EventStatus
    from dangjian.orglife.models import Attendance
    from dangjian.orglife.testing import held, members

    people = members(world.tree.b1, 6)
    me = people[2]
    Person.objects.filter(pk=me.pk).update(user=world.personas["member"])
    now = timezone.localtime().replace(second=0, microsecond=0)
    title = "学习《中国共产党纪律处分条例》主题党日"
    event = held(
        world.tree.b1,
        EventKind.THEME_DAY,
        now.date(),
        title=title,
        status=EventStatus.HELD,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
    )
    assert event.expected_count == 6

    host = page_as("secretary")
    host.goto(f"/orglife/events/{event.pk}/")
    host.get_by_test_id("checkin-host").click()
    expect(host).to_have_url(re.compile(rf"/orglife/events/{event.pk}/checkin/screen/$"))
    expect(host.get_by_test_id("screen-title")).to_have_text(title)
    qr = host.get_by_test_id("qr").locator("svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300, box
    expect(host.get_by_test_id("counts")).to_contain_text("0 / 6")
    expect(host.get_by_test_id("recent")).to_contain_text("暂无人签到")
    shot(host, "orglife-10-checkin-host")

    phone = page_as("member", viewport="phone")
    phone.goto(scan_url(host, event))
    expect(phone.get_by_test_id("checkin-event")).to_contain_text(title)
    expect(phone.get_by_test_id("checkin-event")).to_contain_text(world.tree.b1.name)
    fits_width(phone)
    shot(phone, "orglife-11-scan-phone")
    phone.get_by_test_id("confirm-checkin").click()
    expect(phone.get_by_test_id("checkin-done")).to_contain_text("签到成功")
    expect(phone.get_by_test_id("checkin-time")).to_contain_text(f"签到时间：{now:%Y-%m-%d}")
    fits_width(phone)
    shot(phone, "orglife-12-checkin-done-phone")
    row = Attendance.objects.get(event=event, person=me)
    assert (row.status, row.method) == ("present", "qr") and row.checked_in_at is not None

    # The done page leads to 我的组织生活, where the event now counts as attended.
    phone.get_by_role("link", name="查看我的组织生活").click()
    expect(phone).to_have_url(re.compile(r"/orglife/mine/$"))
    expect(phone.get_by_text(title).first).to_be_visible()
    expect(phone.get_by_test_id("mine-attended")).to_have_text("1")
    expect(phone.get_by_test_id("mine-record")).to_contain_text(world.tree.b1.name)
    fits_width(phone)
    shot(phone, "orglife-13-mine-phone")

    # Scanning again (the screen's current code) is refused in Chinese; nothing changes.
    phone.goto(scan_url(host, event))
    expect(phone.get_by_test_id("checkin-error")).to_contain_text("无需重复签到")
    expect(phone.get_by_test_id("confirm-checkin")).to_have_count(0)
    fits_width(phone)
    shot(phone, "orglife-14-scan-again-phone")
    assert Attendance.objects.filter(event=event, checked_in_at__isnull=False).count() == 1

    # The host screen picks the check-in up on its next refresh.
    counts = host.get_by_test_id("counts")
    expect(counts.locator("span").first).to_have_text("1", timeout=POLL_TIMEOUT_MS)
    expect(host.get_by_test_id("recent")).to_contain_text(me.name, timeout=POLL_TIMEOUT_MS)
    shot(host, "orglife-15-checkin-host-after")


def held_year(b1, year: int, months: range, attendees) -> None:
    """Theme days and committee meetings in B1 in `months` of `year`, everyone present."""
    from datetime import date

    from dangjian.orglife import actions
    from dangjian.orglife.actions import Mark
    from dangjian.orglife.choices import EventKind
    from dangjian.orglife.testing import held

    for month in months:
        for kind, day in ((EventKind.THEME_DAY, 10), (EventKind.COMMITTEE_MEETING, 20)):
            event = held(b1, kind, date(year, month, day))
            if kind == EventKind.THEME_DAY:
                marks = [Mark(status="present", person_id=p.pk) for p in attendees]
                actions.record_attendance(event, marks, acting_user=None)


def test_committee_follows_compliance_and_figures(page_as, world, shot, defects):
    from dangjian.orglife.models import Event
    from dangjian.orglife.summaries import submit_summary
    from dangjian.orglife.testing import members

    today = world.today
    b1, b2 = world.tree.b1, world.tree.b2
    people = members(b1, 4)
    members(b2, 3, serial=6000)
    held_year(b1, today.year - 1, range(3, 13), people)
    held_year(b1, today.year, range(1, today.month), people)
    theme_days = Event.objects.filter(organization=b1, kind="theme_day", status="held")
    this_year = theme_days.filter(held_on__year=today.year).count()
    assert this_year == today.month - 1
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    submit_summary(
        b1,
        last_month,
        "本月按计划召开主题党日和支委会，党员出席情况良好。",
        acting_user=world.personas["secretary"],
    )

    page = page_as("committee")
    page.locator(".dj-sidebar").get_by_role("link", name="落实情况").click()
    expect(page).to_have_url(re.compile(r"/orglife/compliance/"))
    heatmap = page.get_by_test_id("heatmap")
    expect(heatmap.locator("canvas")).to_be_visible()
    box = heatmap.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 100, box
    cards = page.get_by_test_id("compliance-cards")
    expect(cards.get_by_test_id("branches")).to_contain_text("2")
    held_card = int(cards.get_by_test_id("held").inner_text().split("项")[0])
    missed_card = int(cards.get_by_test_id("missed").inner_text().split("项")[0])
    assert held_card > 0 and missed_card > 0, (held_card, missed_card)
    children = page.get_by_test_id("children")
    expect(children.get_by_role("link", name=b1.name)).to_be_visible()
    expect(children.get_by_role("link", name=b2.name)).to_be_visible()
    expect(children.get_by_test_id(f"child-{b2.pk}").locator("td").nth(2)).to_have_text("0")
    page.evaluate("document.fonts.ready")
    shot(page, "orglife-16-compliance")

    children.get_by_role("link", name=b1.name).click()
    expect(page).to_have_url(re.compile(rf"/orglife/compliance/{b1.pk}/"))
    calendar = page.get_by_test_id("calendar")
    if today.month > 1:
        expect(calendar.get_by_test_id("month-1")).to_contain_text("主题党日")
    expect(calendar.get_by_test_id(f"month-{today.month}")).not_to_contain_text("主题党日")
    shot(page, "orglife-17-branch-calendar")

    # The statistics of C1, last year then this year; one number drills down to its events.
    page.locator(".dj-sidebar").get_by_role("link", name="统计报表").click()
    form = page.get_by_test_id("statistics-form")
    expect(form.get_by_label("党组织")).to_have_value(str(world.tree.c1.pk))
    table = page.get_by_test_id("statistics-table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    theme_column = headers.index("主题党日")  # the first header is 党组织 (a th in each row)
    for year, expected in ((today.year - 1, 10), (today.year, this_year)):
        form.get_by_label("年度").fill(str(year))
        form.get_by_role("button", name="统计").click()
        expect(page).to_have_url(re.compile(rf"year={year}"))
        row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=b1.name))
        cell = row.locator("td").nth(theme_column - 1)
        expect(cell).to_have_text(str(expected))
        b2_row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=b2.name))
        expect(b2_row.locator("td").nth(theme_column - 1)).to_have_text("0")
        shot(page, f"orglife-18-statistics-{'last' if year < today.year else 'this'}-year")
    if this_year:
        cell.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/orglife/events/\?"))
        expect(page.get_by_test_id("event-totals")).to_contain_text(f"共 {this_year} 次活动")
        expect(page.get_by_test_id("event-table").locator("tbody tr")).to_have_count(this_year)
        expect(page.get_by_test_id("event-table")).not_to_contain_text("支委会")
        shot(page, "orglife-19-drilldown-events")

    page.locator(".dj-sidebar").get_by_role("link", name="组织生活月报").click()
    expect(page).to_have_url(re.compile(r"/orglife/summaries/"))
    summaries = page.get_by_test_id("summary-table")
    expect(summaries.get_by_role("link", name=b1.name)).to_be_visible()
    expect(summaries.locator("tr", has_text=b1.name)).to_contain_text("已报送")
    expect(summaries.locator("tr", has_text=b1.name)).to_contain_text(f"{last_month:%Y-%m}")
    shot(page, "orglife-20-summaries")
