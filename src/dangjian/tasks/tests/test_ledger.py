"""The rectification ledger (整改台账) export: opens with openpyxl, holds the columns of the
brief, only rows in the user's scope and the list's filters, and no live formulas."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models.audit import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import Problem
from dangjian.tasks.testing import close, make_problem

pytestmark = pytest.mark.django_db
URL = "/tasks/problems/ledger/"
HEADERS = [
    "序号",
    "年度",
    "层面",
    "列出单位",
    "责任单位",
    "问题来源",
    "问题类别",
    "问题描述",
    "整改措施",
    "责任人",
    "整改时限",
    "状态",
    "销号日期",
    "核验意见",
    "超期天数",
    "疑似反弹",
]


def _rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    data = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_ledger_opens_with_the_columns_and_only_rows_in_scope(tree: Tree, login: Any) -> None:
    old = close(make_problem(tree.university, tree.c1, year=2022, description="主题党日形式单一"))
    make_problem(tree.university, tree.c1, year=2023, description="主题党日形式单一")
    late = make_problem(tree.c1, tree.b1, year=2023, description="发展党员程序不规范")
    actions.open_ledger(
        late,
        {"measures": "逐项核查发展材料", "responsible": "王委员", "deadline": late.listed_on},
        acting_user=None,
    )
    today = timezone.localdate()
    Problem.objects.filter(pk=late.pk).update(
        listed_on=today - timedelta(days=20), deadline=today - timedelta(days=6)
    )
    make_problem(tree.university, tree.c2, year=2023, description="数学学院的问题")
    rows = _rows(login("committee").get(URL))
    assert rows[0] == HEADERS
    body = rows[1:]
    assert [row[0] for row in body] == [1, 2, 3]
    assert {row[7] for row in body} == {"主题党日形式单一", "发展党员程序不规范"}
    by_text = {(row[1], row[7]): row for row in body}
    closed_row = by_text[(2022, "主题党日形式单一")]
    assert closed_row[2:7] == ["学校层面", "湘麓大学委员会", "文学院党委", "调查研究", "组织建设"]
    assert closed_row[11] == "已销号" and closed_row[13] == "核验属实，同意销号"
    assert closed_row[12].date() == old.closed_on and closed_row[14] is None
    recurring = by_text[(2023, "主题党日形式单一")]
    assert recurring[15] == "是（2022年第1号，相似度100%）"
    late_row = by_text[(2023, "发展党员程序不规范")]
    assert late_row[8:10] == ["逐项核查发展材料", "王委员"] and late_row[14] == 6
    assert late_row[2] == "二级单位层面" and late_row[11] == "整改中"
    assert AuditEvent.objects.filter(action="security.export").exists()


def test_the_ledger_takes_the_lists_filters(tree: Tree, login: Any) -> None:
    close(make_problem(tree.university, tree.c1, year=2022, description="旧问题"))
    make_problem(tree.university, tree.c1, year=2023, description="新问题")
    make_problem(tree.university, tree.c2, year=2023, description="数学学院的问题")
    client = login("univ")
    rows = _rows(client.get(f"{URL}?status=closed"))
    assert [row[7] for row in rows[1:]] == ["旧问题"]
    rows = _rows(client.get(f"{URL}?year=2023&within={tree.c2.pk}"))
    assert [row[7] for row in rows[1:]] == ["数学学院的问题"]
    assert len(_rows(client.get(URL))) == 4


def test_the_ledger_is_safe_against_formulas(tree: Tree, login: Any) -> None:
    make_problem(tree.university, tree.c1, description='=HYPERLINK("http://x","点击")')
    rows = _rows(login("univ").get(URL))
    assert rows[1][7] == '\'=HYPERLINK("http://x","点击")'


def test_the_ledger_needs_an_export_grant(tree: Tree, login: Any) -> None:
    make_problem(tree.university, tree.c1, description="文学院的问题")
    assert login("member").get(URL).status_code == 403
    assert _rows(login("outsider").get(URL)) == [HEADERS]
