"""`summaries` and `plans` at their boundaries: the month must be over, text limits, who
reviews, what can be reviewed; plan months, years, topics, copies and carried-out items."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.orglife import plans, summaries
from dangjian.orglife.choices import EventKind, SummaryStatus
from dangjian.orglife.models import MonthlySummary, PlanItem
from dangjian.orglife.testing import held

pytestmark = pytest.mark.django_db
JANUARY = date(2025, 1, 1)


def _refused(field: str, call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert field in caught.value.errors, caught.value.errors
    return caught.value.errors[field]


def test_a_month_is_reported_only_once_it_is_over(tree):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    message = _refused(
        "month", summaries.submit_summary, tree.b1, this_month, "小结", acting_user=None
    )
    assert message == "该月尚未结束，月末后再报送月报。"
    previous = (this_month - timedelta(days=1)).replace(day=1)
    summary = summaries.submit_summary(tree.b1, previous, "小结", acting_user=None)
    assert summary.status == SummaryStatus.SUBMITTED and summary.month == previous
    assert MonthlySummary.objects.count() == 1


def test_text_limit_and_branch_only(tree):
    ok = summaries.submit_summary(tree.b1, JANUARY, "字" * 5000, submit=False, acting_user=None)
    assert len(ok.text) == 5000
    message = _refused(
        "text", summaries.submit_summary, tree.b1, JANUARY, "字" * 5001, acting_user=None
    )
    assert message == "不能超过5000个字。"
    message = _refused(
        "organization", summaries.submit_summary, tree.c1, JANUARY, "小结", acting_user=None
    )
    assert message == "组织生活月报由党支部报送。"
    assert _refused("month", summaries.month_start, "2025-13").startswith("月份格式不正确")


def test_figures_are_kept_as_submitted(tree):
    held(tree.b1, EventKind.THEME_DAY, date(2025, 1, 10))
    held(tree.b1, EventKind.THEME_DAY, date(2025, 2, 1))  # another month
    summary = summaries.submit_summary(tree.b1, JANUARY, "小结", acting_user=None)
    assert summary.figures["total"] == 1
    assert summary.figures["events"][EventKind.THEME_DAY] == 1


def test_review_boundaries(tree, personas):
    draft = summaries.submit_summary(tree.b1, JANUARY, "", submit=False, acting_user=None)
    with pytest.raises(DomainError, match="只能审核已报送的月报。"):
        summaries.review_summary(draft, approve=True, acting_user=personas["committee"])
    submitted = summaries.submit_summary(tree.b1, JANUARY, "小结", acting_user=None)
    with pytest.raises(DomainError, match="月报由文学院党委审核，您无权审核。"):
        summaries.review_summary(submitted, approve=True, acting_user=personas["secretary"])
    with pytest.raises(DomainError, match="您无权审核"):
        summaries.review_summary(submitted, approve=True, acting_user=personas["outsider"])
    assert (
        _refused(
            "reason",
            summaries.review_summary,
            submitted,
            approve=False,
            reason="因" * 301,
            acting_user=personas["committee"],
        )
        == "不能超过300个字。"
    )
    returned = summaries.review_summary(
        submitted, approve=False, reason="因" * 300, acting_user=personas["committee"]
    )
    assert returned.status == SummaryStatus.RETURNED
    with pytest.raises(DomainError, match="您无权报送"):
        summaries.submit_summary(tree.b1, JANUARY, "小结", acting_user=personas["outsider"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("month", 0, "月份应为1至12。"),
        ("month", 13, "月份应为1至12。"),
        ("year", 1999, "年度应为2000至2100之间的整数。"),
        ("year", 2101, "年度应为2000至2100之间的整数。"),
        ("topic", "", "请填写主题。"),
        ("topic", "题" * 201, "不能超过200个字。"),
        ("kind", "lecturez", "取值不正确，可选：主题党日、党课、集中学习研讨。"),
    ],
)
def test_plan_item_refusals(tree, field, value, message):
    data = {"year": 2025, "month": 6, "kind": "theme_day", "topic": "学习"} | {field: value}
    assert _refused(field, plans.save_plan_item, tree.b1, data, acting_user=None) == message
    assert not PlanItem.objects.exists()


@pytest.mark.parametrize(("month", "year"), [(1, 2000), (12, 2100)])
def test_plan_item_edges_accepted(tree, month, year):
    data = {"year": year, "month": month, "kind": "lecture", "topic": "题" * 200}
    item = plans.save_plan_item(tree.b1, data, acting_user=None)
    assert (item.year, item.month) == (year, month)


def test_carried_out_items_keep_kind_and_stay(tree, personas):
    data = {"year": 2025, "month": 3, "kind": "theme_day", "topic": "学习党章"}
    item = plans.save_plan_item(tree.b1, data, acting_user=None)
    held(tree.b1, EventKind.THEME_DAY, date(2025, 3, 5), plan_item=item.pk)
    with pytest.raises(DomainError, match="不能删除"):
        plans.delete_plan_item(item, acting_user=None)
    assert (
        _refused(
            "kind",
            plans.save_plan_item,
            tree.b1,
            data | {"kind": "study"},
            item=item,
            acting_user=None,
        )
        == "已有活动落实该事项，不能修改类型。"
    )
    with pytest.raises(DomainError, match="您无权编制"):
        plans.save_plan_item(tree.b1, data, acting_user=personas["outsider"])


def test_copy_plan_needs_last_year_and_an_empty_year(tree):
    with pytest.raises(DomainError, match="2024年度没有计划事项可以沿用。"):
        plans.copy_plan(tree.b1, 2025, acting_user=None)
    data = {"year": 2024, "month": 7, "kind": "lecture", "topic": "七一党课"}
    plans.save_plan_item(tree.b1, data, acting_user=None)
    assert plans.copy_plan(tree.b1, 2025, acting_user=None) == 1
    copied = PlanItem.objects.get(year=2025)
    assert (copied.month, copied.kind, copied.topic) == (7, "lecture", "七一党课")
    with pytest.raises(DomainError, match="2025年度已有计划事项"):
        plans.copy_plan(tree.b1, 2025, acting_user=None)
