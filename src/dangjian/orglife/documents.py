"""The minutes of an event as a Word document (组织生活记录), for the branch's paper files.

It prints what was recorded: the facts, who attended (from the attendance rows, with the
reasons for leave), and the texts of the meeting. A text the record requires but nobody
entered (the minutes; the 第一议题 of a committee meeting; the criticism of a review meeting)
shows （未登记）, never an invented line; optional texts left empty are left out.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH

from dangjian.core.docx import (
    as_bytes,
    chinese_date,
    heading,
    missing,
    new_document,
    pairs,
    paragraph,
    title,
)
from dangjian.orglife.choices import HOURS_KINDS, QUORUM_KINDS, AttendanceStatus, EventKind
from dangjian.orglife.models import Attendance, Event

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"


def file_name(event: Event) -> str:
    """组织生活记录_2025-03-05_支部党员大会.docx"""
    return f"{gettext('组织生活记录')}_{event.held_on.isoformat()}_{event.get_kind_display()}.docx"


def _when(event: Event) -> str:
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    text = f"{chinese_date(starts.date())} {starts:%H:%M}—"
    if ends.date() != starts.date():
        text += chinese_date(ends.date()) + " "
    return text + f"{ends:%H:%M}"


def _people(n: int) -> str:
    return gettext("%(n)d人") % {"n": n}


def facts(event: Event) -> list[tuple[str, str]]:
    """The label/value pairs of the facts table."""
    items = [
        (gettext("主题"), event.title),
        (gettext("时间"), _when(event)),
        (gettext("地点"), event.place),
        (gettext("主持人"), event.host_name),
        (gettext("记录人"), event.recorder_name),
    ]
    if event.party_group_id:
        items.append((gettext("党小组"), event.party_group.name if event.party_group else ""))
    if event.kind == EventKind.LECTURE:
        level = event.get_lecture_level_display() if event.lecture_level else ""
        if event.is_micro:
            level = f"{level}（{gettext('微党课')}）" if level else gettext("微党课")
        items += [(gettext("主讲人"), event.speaker_name), (gettext("主讲人层级"), level)]
    items += [
        (gettext("应到"), _people(event.expected_count)),
        (gettext("实到"), _people(event.present_count)),
        (gettext("请假"), _people(event.leave_count)),
        (gettext("缺席"), _people(event.absent_count)),
        (gettext("列席"), _people(event.guest_count)),
    ]
    if event.kind in QUORUM_KINDS:
        if event.quorum_met is None:
            quorum = gettext("无应到人员")
        else:
            quorum = gettext("已达到") if event.quorum_met else gettext("未达到（不得作出决议）")
        items.append((gettext("法定人数"), quorum))
    if event.kind in HOURS_KINDS:
        items.append((gettext("累计时长"), gettext("%(h)s小时") % {"h": event.person_hours}))
    if event.is_joint:
        items.append((gettext("联合单位"), event.partners))
    if event.is_late:
        items.append((gettext("补录理由"), event.late_reason))
    return items


def attendance_lines(event: Event) -> list[tuple[str, list[str]]]:
    """(label, names) for present, on leave (with reasons), absent and guests."""
    present: list[str] = []
    leave: list[str] = []
    absent: list[str] = []
    guests: list[str] = []
    rows = Attendance.objects.filter(event=event).select_related("person").order_by("pk")
    for row in rows:
        name = row.display_name
        if row.is_guest:
            if row.status == AttendanceStatus.PRESENT:
                guests.append(f"{name}（{row.guest_unit}）" if row.guest_unit else name)
        elif row.status == AttendanceStatus.PRESENT:
            present.append(name)
        elif row.status == AttendanceStatus.LEAVE:
            leave.append(f"{name}（{row.leave_reason}）" if row.leave_reason else name)
        else:
            absent.append(name)
    return [
        (gettext("出席"), present),
        (gettext("请假"), leave),
        (gettext("缺席"), absent),
        (gettext("列席"), guests),
    ]


def texts(event: Event) -> list[tuple[str, str]]:
    """The sections to print: filled texts, and required ones (shown as not recorded)."""
    required = {"minutes"}
    if event.kind == EventKind.COMMITTEE_MEETING:
        required.add("first_topic")
    if event.kind == EventKind.REVIEW_MEETING:
        required.add("criticism")
    sections = [
        ("agenda", gettext("议程")),
        ("first_topic", gettext("第一议题学习")),
        ("minutes", gettext("会议记录")),
        ("resolutions", gettext("决议事项")),
        ("criticism", gettext("批评与自我批评情况")),
    ]
    return [
        (label, getattr(event, name).strip() or missing())
        for name, label in sections
        if getattr(event, name).strip() or name in required
    ]


def _numbered(index: int, text: str) -> str:
    return f"{NUMERALS[index]}、{text}"


def minutes(event: Event) -> DocumentType:
    """The whole record of one event."""
    doc = new_document()
    subtitle = ""
    if not event.is_held:
        subtitle = f"（{event.get_status_display()}）"
    title(
        doc,
        gettext("%(org)s%(kind)s记录")
        % {"org": event.organization.name, "kind": event.get_kind_display()},
        subtitle,
    )
    section = 0
    heading(doc, _numbered(section, gettext("基本情况")))
    pairs(doc, facts(event))
    section += 1
    heading(doc, _numbered(section, gettext("出席情况")))
    for label, names in attendance_lines(event):
        listed = "、".join(names) if names else gettext("无")
        paragraph(doc, f"{label}（{_people(len(names))}）：{listed}", indent=False)
    for label, text in texts(event):
        section += 1
        heading(doc, _numbered(section, label))
        for line in text.splitlines():
            if line.strip():
                paragraph(doc, line.strip())
    doc.add_paragraph()
    blank = "＿" * 8
    paragraph(
        doc,
        gettext("记录人（签字）：%(line)s　　　主持人（签字）：%(line)s") % {"line": blank},
        indent=False,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    return doc


def render(event: Event) -> bytes:
    """The .docx file of the event's minutes."""
    return as_bytes(minutes(event))
