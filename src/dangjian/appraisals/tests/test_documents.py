"""The result files: Excel (one row per subject) and Word (title, turnout, table, quota), each
read back, and each download recorded as a security export."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dangjian.appraisals import actions, documents
from dangjian.appraisals.models import Campaign
from dangjian.appraisals.tests.test_views_results import cast
from dangjian.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(campaign, branch_members) -> Campaign:
    cast(campaign, branch_members)
    actions.close_voting(campaign, acting_user=None)
    actions.decide(campaign, {}, note="支部党员大会表决", acting_user=None)
    campaign.refresh_from_db()
    return campaign


def _export(client, campaign: Campaign, fmt: str):
    url = reverse("appraisals:results_export", args=[campaign.pk])
    return client.get(url, {"format": fmt})


def texts(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def test_the_excel_file_has_a_row_per_subject(decided, login):
    response = _export(login("secretary"), decided, "xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    assert header[:4] == ("序号", "评议对象", "职务/类别", "所在党组织")
    assert (
        "优秀（票）" in header
        and "优秀（%）" in header
        and header[-2:] == ("测评建议等次", "评定等次")
    )
    values = dict(zip(header, first, strict=True))
    assert values["优秀（票）"] == 4 and values["优秀（%）"] == pytest.approx(66.67)
    assert values["基本合格（%）"] == pytest.approx(33.33) and values["有效票数"] == 6
    assert values["测评建议等次"] == "优秀" and values["评定等次"] == "优秀"
    assert len(rows) == 1 + decided.subjects.count()
    assert rows[-1][-1] == "不评定等次"
    event = AuditEvent.objects.filter(action="security.export").latest("seq")
    assert event.detail["format"] == "xlsx"


def test_the_word_report(decided, login):
    response = _export(login("committee"), decided, "docx")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    disposition = unquote(response["Content-Disposition"])
    assert f"{decided.year}年度民主评议党员结果" in disposition
    text = texts(response.content)
    assert f"{decided.year}年度民主评议党员结果" in text
    assert "66.67%" in text and "66.67" in text  # turnout 6 of 9 and the first subject's 优秀
    assert (
        "参评正式党员6人，优秀等次不超过1/3，即最多2人；测评建议优秀1人，评定优秀1人，符合比例规定。"
        in text
    )
    assert "不评定等次" in text and "支部党员大会表决" in text
    event = AuditEvent.objects.filter(action="security.export").latest("seq")
    assert event.detail == {"document": "results", "format": "docx"}
    assert event.object_id == str(decided.pk)


def test_no_file_before_the_count(campaign, login):
    assert _export(login("secretary"), campaign, "xlsx").status_code == 302
    assert not AuditEvent.objects.filter(action="security.export").exists()


def test_an_unknown_format_is_refused(decided, login):
    response = _export(login("secretary"), decided, "pdf")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="security.export").exists()


def test_the_member_gets_no_file(decided, login):
    assert _export(login("member"), decided, "xlsx").status_code == 403
