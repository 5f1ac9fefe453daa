"""The minutes as Word: the facts, who attended (with reasons for leave), the recorded texts,
（未登记） for required texts nobody entered, optional ones left out; the download's name and
who may have it (a member of the branch, not the outsider)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from docx import Document

from dangjian.core.testing.personas import Tree
from dangjian.orglife import documents
from dangjian.orglife.actions import Mark, record_attendance
from dangjian.orglife.choices import EventKind, LectureLevel
from dangjian.orglife.models import Event
from dangjian.orglife.testing import held, members

pytestmark = pytest.mark.django_db
DAY = date(2025, 3, 5)


def texts(content: bytes) -> str:
    """Every paragraph and table cell of the document, one per line."""
    doc = Document(io.BytesIO(content))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


@pytest.fixture
def assembly(tree: Tree, personas: dict[str, Any]) -> Event:
    """A B1 assembly: 党员5000 and 党员5002 present, 党员5001 on leave, a guest; the member
    persona is 党员5000."""
    a, b, c = members(tree.b1, 3)
    a.user = personas["member"]
    a.save()
    event = held(
        tree.b1,
        EventKind.GENERAL_ASSEMBLY,
        DAY,
        title="讨论接收预备党员",
        agenda="一、讨论发展对象\n二、表决",
        minutes="王书记主持会议。\n\n会议讨论了发展对象情况。",
        resolutions="同意接收张三为预备党员。",
    )
    marks = [
        Mark("present", a.pk),
        Mark("leave", b.pk, leave_reason="出差"),
        Mark("present", c.pk),
        Mark("present", is_guest=True, guest_name="来宾甲", guest_unit="校团委"),
    ]
    return record_attendance(event, marks, acting_user=None).obj  # type: ignore[no-any-return]


def test_minutes_of_an_assembly(assembly: Event) -> None:
    text = texts(documents.render(assembly))
    assert "文学院教工第一党支部支部党员大会记录" in text
    for expected in (
        "讨论接收预备党员",
        "2025年3月5日 14:00—16:00",
        "党员活动室",
        "王书记",
        "李委员",
        "法定人数\n已达到",
        "应到\n3人",
        "实到\n2人",
        "请假\n1人",
        "列席\n1人",
        "出席（2人）：党员5000、党员5002",
        "请假（1人）：党员5001（出差）",
        "缺席（0人）：无",
        "列席（1人）：来宾甲（校团委）",
        "一、讨论发展对象\n二、表决",
        "王书记主持会议。\n会议讨论了发展对象情况。",
        "四、会议记录",
        "五、决议事项\n同意接收张三为预备党员。",
        "记录人（签字）",
        "主持人（签字）",
    ):
        assert expected in text, expected
    # Optional texts nobody entered are left out; nothing shows as not recorded.
    assert "批评与自我批评" not in text and "第一议题" not in text
    assert "（未登记）" not in text


def test_required_texts_left_empty_show_as_not_recorded(tree: Tree) -> None:
    review = held(tree.b2, EventKind.REVIEW_MEETING, DAY)
    text = texts(documents.render(review))
    assert "三、会议记录\n（未登记）" in text
    assert "四、批评与自我批评情况\n（未登记）" in text
    assert "法定人数" not in text  # no quorum for a review meeting


def test_a_lecture_names_its_speaker_and_level(tree: Tree) -> None:
    lecture = held(
        tree.b1,
        EventKind.LECTURE,
        DAY,
        speaker_name="赵教授",
        lecture_level=LectureLevel.EXPERT,
        is_micro=True,
    )
    text = texts(documents.render(lecture))
    assert "主讲人\n赵教授" in text
    assert "主讲人层级\n专家学者（微党课）" in text
    assert documents.file_name(lecture) == "组织生活记录_2025-03-05_党课.docx"


def test_download_by_a_member_of_the_branch(assembly: Event, login: Any) -> None:
    response = login("member").get(f"/orglife/events/{assembly.pk}/minutes/")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    name = quote("组织生活记录_2025-03-05_支部党员大会.docx")
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{name}"
    assert "讨论接收预备党员" in texts(response.content)


def test_outsider_does_not_see_the_minutes(assembly: Event, login: Any) -> None:
    assert login("outsider").get(f"/orglife/events/{assembly.pk}/minutes/").status_code == 404
    assert login("norole").get(f"/orglife/events/{assembly.pk}/minutes/").status_code == 403
