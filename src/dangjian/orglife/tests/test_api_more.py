"""The organizational-life API, continued: compliance per branch and period, monthly summaries
through submit → return → resubmit → approve, and yearly plan items (add, change, copy,
delete), with refusals as 422 and nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.core.testing.personas import Tree
from dangjian.orglife import compliance
from dangjian.orglife.choices import EventKind
from dangjian.orglife.models import MonthlySummary, PlanItem
from dangjian.orglife.testing import held
from dangjian.orglife.tests.test_api import errors, ok, send

BASE = "/api/v1/orglife"


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def secretary(login: Any) -> Client:
    return login("secretary")


# --- compliance -------------------------------------------------------------------------------


def test_compliance_per_branch_and_period(login: Any, tree: Tree) -> None:
    year = timezone.localdate().year - 1
    held(tree.b1, EventKind.THEME_DAY, date(year, 1, 15))
    held(tree.b1, EventKind.GENERAL_ASSEMBLY, date(year, 2, 15))
    result = ok(login("univ").get(f"{BASE}/compliance?year={year}"))
    branches = {b["id"]: b for b in result["branches"]}
    assert set(branches) == {tree.b1.pk, tree.b2.pk, tree.b3.pk}
    b1 = branches[tree.b1.pk]
    theme = next(r for r in b1["requirements"] if r["code"] == "theme_day")
    assert theme["label"] == "主题党日" and len(theme["periods"]) == 12
    first = theme["periods"][0]
    assert (first["start"], first["end"]) == (f"{year}-01-01", f"{year}-01-31")
    assert (first["state"], first["state_display"], first["held"]) == ("held", "已开展", 1)
    assert theme["periods"][1]["state"] == "missed"
    assembly = next(r for r in b1["requirements"] if r["code"] == "general_assembly")
    assert [p["state"] for p in assembly["periods"]] == ["held", "missed", "missed", "missed"]
    assert len(b1["months"]) == 12 and b1["months"][0] > b1["months"][5]
    assert branches[tree.b2.pk]["held"] == 0
    held_, missed = compliance.rate(
        tree.university, date(year, 1, 1), date(year, 12, 31), timezone.localdate()
    )
    assert (result["held"], result["missed"], result["due"]) == (held_, missed, 0)
    assert result["rate"] == round(100 * held_ / (held_ + missed), 1)

    mine = ok(login("secretary").get(f"{BASE}/compliance?year={year}"))
    assert [b["id"] for b in mine["branches"]] == [tree.b1.pk]
    assert mine["held"] == b1["held"] == 2
    within = ok(login("univ").get(f"{BASE}/compliance?year={year}&within={tree.c2.pk}"))
    assert [b["name"] for b in within["branches"]] == ["数学学院研究生党支部"]
    assert errors(login("outsider").get(f"{BASE}/compliance?within={tree.c1.pk}")) == {
        ("query", "within"): "所选党组织不存在或不在您的管理范围内。"
    }
    assert (
        "不能小于2000"
        in errors(login("univ").get(f"{BASE}/compliance?year=1999"))[("query", "year")]
    )


# --- monthly summaries ------------------------------------------------------------------------


def test_a_summary_is_submitted_returned_resubmitted_and_approved(
    secretary: Client, login: Any, tree: Tree
) -> None:
    month = last_month()
    held(tree.b1, EventKind.THEME_DAY, month.replace(day=10))
    body = {"organization": tree.b1.pk, "month": f"{month:%Y-%m}", "text": "开展主题党日一次。"}
    summary = ok(send(secretary, "post", f"{BASE}/summaries", body))
    assert (summary["status"], summary["status_display"]) == ("submitted", "已报送")
    assert summary["month"] == f"{month:%Y-%m}"
    assert summary["figures"]["events"]["theme_day"] == 1 and summary["figures"]["total"] == 1
    assert summary["reviewer"]["id"] == tree.c1.pk
    review = f"{BASE}/summaries/{summary['id']}/review"

    assert send(secretary, "post", review, {"approve": True}).status_code == 403
    assert send(login("outsider"), "post", review, {"approve": True}).status_code == 404
    committee = login("committee")
    assert errors(send(committee, "post", review, {"approve": False})) == {
        ("body", "reason"): "退回时请填写原因。"
    }
    returned = ok(send(committee, "post", review, {"approve": False, "reason": "请补充党课情况"}))
    assert (returned["status"], returned["return_reason"]) == ("returned", "请补充党课情况")
    again = ok(send(secretary, "post", f"{BASE}/summaries", {**body, "text": "已补充。"}))
    assert again["id"] == summary["id"] and again["status"] == "submitted"
    approved = ok(send(committee, "post", review, {"approve": True}))
    assert approved["status"] == "approved" and approved["decided_at"]
    assert "不能修改" in errors(send(secretary, "post", f"{BASE}/summaries", body))[("body",)]

    listed = ok(committee.get(f"{BASE}/summaries?status=approved&month={month:%Y-%m}"))
    assert [item["id"] for item in listed["items"]] == [summary["id"]]
    assert ok(committee.get(f"{BASE}/summaries?status=submitted"))["count"] == 0
    assert (
        "月份格式不正确" in errors(committee.get(f"{BASE}/summaries?month=abc"))[("query", "month")]
    )
    detail = ok(secretary.get(f"{BASE}/summaries/{summary['id']}"))
    assert detail["text"] == "已补充。"
    assert login("member").get(f"{BASE}/summaries/{summary['id']}").status_code == 403


def test_a_month_not_over_is_refused_and_nothing_saved(secretary: Client, tree: Tree) -> None:
    body = {"organization": tree.b1.pk, "month": f"{timezone.localdate():%Y-%m}", "text": "x"}
    assert errors(send(secretary, "post", f"{BASE}/summaries", body)) == {
        ("body", "month"): "该月尚未结束，月末后再报送月报。"
    }
    bad = {**body, "month": "2025-13"}
    assert errors(send(secretary, "post", f"{BASE}/summaries", bad)) == {
        ("body", "month"): "月份格式不正确，应为 YYYY-MM。"
    }
    assert not MonthlySummary.objects.exists()


# --- yearly plans -----------------------------------------------------------------------------


def test_plan_items_are_added_changed_and_deleted(secretary: Client, tree: Tree) -> None:
    item = ok(
        send(
            secretary,
            "post",
            f"{BASE}/plan-items",
            {
                "organization": tree.b1.pk,
                "year": 2025,
                "month": 3,
                "kind": "theme_day",
                "topic": "学雷锋志愿服务",
            },
        ),
        201,
    )
    assert (item["kind_display"], item["done"], item["event_id"]) == ("主题党日", False, None)
    url = f"{BASE}/plan-items/{item['id']}"
    changed = ok(send(secretary, "patch", url, {"topic": "学雷锋主题党日", "month": 4}))
    assert (changed["topic"], changed["month"], changed["kind"]) == (
        "学雷锋主题党日",
        4,
        "theme_day",
    )
    event = held(tree.b1, EventKind.THEME_DAY, date(2025, 4, 5), plan_item=item["id"])
    listed = ok(secretary.get(f"{BASE}/plan-items?organization={tree.b1.pk}&year=2025"))
    assert [(i["id"], i["done"], i["event_id"]) for i in listed["items"]] == [
        (item["id"], True, event.pk)
    ]
    assert errors(secretary.delete(url)) == {("body",): "已有活动落实该事项，不能删除。"}
    spare = PlanItem.objects.create(
        organization=tree.b1, year=2025, month=5, kind="lecture", topic="专题党课"
    )
    assert secretary.delete(f"{BASE}/plan-items/{spare.pk}").status_code == 204
    assert not PlanItem.objects.filter(pk=spare.pk).exists()


def test_bad_plan_items_are_refused(secretary: Client, login: Any, tree: Tree) -> None:
    body = {"organization": tree.b1.pk, "year": 2025, "month": 13, "kind": "lecture", "topic": ""}
    assert errors(send(secretary, "post", f"{BASE}/plan-items", body)) == {
        ("body", "month"): "月份应为1至12。",
        ("body", "topic"): "请填写主题。",
    }
    assert not PlanItem.objects.exists()
    outside = {**body, "organization": tree.b3.pk, "month": 3, "topic": "党课"}
    assert send(secretary, "post", f"{BASE}/plan-items", outside).status_code == 404
    assert send(login("member"), "post", f"{BASE}/plan-items", outside).status_code == 403
    assert errors(secretary.get(f"{BASE}/plan-items?organization={tree.b3.pk}")) == {
        ("query", "organization"): "所选党组织不存在或不在您的管理范围内。"
    }


def test_last_years_plan_is_copied_once(
    secretary: Client, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    for month in (3, 6, 9):
        PlanItem.objects.create(
            organization=tree.b1, year=2025, month=month, kind="theme_day", topic=f"{month}月主题"
        )
    copy = {"organization": tree.b1.pk, "year": 2026}
    assert ok(send(secretary, "post", f"{BASE}/plan-items/copy", copy), 201) == {
        "year": 2026,
        "created": 3,
    }
    assert (
        "不能再沿用" in errors(send(secretary, "post", f"{BASE}/plan-items/copy", copy))[("body",)]
    )
    with django_assert_max_num_queries(8):
        listed = ok(secretary.get(f"{BASE}/plan-items?year=2026"))
    assert [i["month"] for i in listed["items"]] == [3, 6, 9]
    assert PlanItem.objects.filter(year=2026).count() == 3
