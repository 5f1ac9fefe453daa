"""The yearly plan pages: add, edit, delete and copy with their refusals, items carried out
by held events, the member's read-only view and the page's query count."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.orglife import plans
from dangjian.orglife.choices import EventKind
from dangjian.orglife.models import PlanItem
from dangjian.orglife.testing import held, members

pytestmark = pytest.mark.django_db
YEAR = 2025


def _item(tree, month: int = 3, year: int = YEAR, topic: str = "学习党章") -> PlanItem:
    data = {"year": year, "month": month, "kind": "theme_day", "topic": topic}
    return plans.save_plan_item(tree.b1, data, acting_user=None)


def _page(tree, year: int = YEAR) -> str:
    return reverse("orglife:plans") + f"?organization={tree.b1.pk}&year={year}"


def _add_url(tree) -> str:
    return reverse("orglife:plan_item_add") + f"?organization={tree.b1.pk}&year={YEAR}"


def _form(**changes: str) -> dict[str, str]:
    return {"year": str(YEAR), "month": "5", "kind": "lecture", "topic": "七一党课"} | changes


def test_add_refuses_bad_month_and_empty_topic_in_chinese(tree, login):
    client = login("secretary")
    response = client.post(_add_url(tree), _form(month="13"))
    assert "月份应为1至12。" in response.content.decode()
    response = client.post(_add_url(tree), _form(topic="  "))
    assert "请填写主题。" in response.content.decode()
    response = client.post(_add_url(tree), _form(year="1999"))
    assert "年度应为2000至2100之间的整数。" in response.content.decode()
    assert not PlanItem.objects.exists()
    response = client.post(_add_url(tree), _form(speaker_name="王书记"))
    assert response.status_code == 302 and response["Location"] == _page(tree)
    item = PlanItem.objects.get()
    assert (item.organization, item.month, item.kind) == (tree.b1, 5, "lecture")


def test_edit_and_delete_an_item(tree, login):
    item = _item(tree)
    client = login("secretary")
    edit = reverse("orglife:plan_item_edit", args=[item.pk])
    assert client.get(edit).context["form"].initial["topic"] == "学习党章"
    response = client.post(edit, _form(kind="theme_day", month="0"))
    assert "月份应为1至12。" in response.content.decode()
    response = client.post(edit, _form(kind="theme_day", topic="学习新党章"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.topic, item.month) == ("学习新党章", 5)
    delete = reverse("orglife:plan_item_delete", args=[item.pk])
    assert "学习新党章" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not PlanItem.objects.exists()


def test_an_item_carried_out_shows_done_and_cannot_be_deleted(tree, login):
    done = _item(tree, month=3)
    missed = _item(tree, month=4, topic="参观纪念馆")
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 3, 5), plan_item=done.pk, title="三月主题党日")
    client = login("secretary")
    page = client.get(_page(tree))
    html = page.content.decode()
    assert "三月主题党日" in html and "已落实 1 / 2" in html
    assert page.context["done"] == 1 and page.context["total"] == 2
    assert reverse("orglife:plan_item_delete", args=[done.pk]) not in html
    assert reverse("orglife:plan_item_delete", args=[missed.pk]) in html
    assert 'data-testid="plan-missed"' in html  # April 2025 is over and nothing was held
    delete = reverse("orglife:plan_item_delete", args=[done.pk])
    response = client.post(delete)
    assert response.status_code == 200
    assert "已有活动落实该事项，不能删除。" in response.content.decode()
    assert PlanItem.objects.filter(pk=done.pk).exists()
    edit = reverse("orglife:plan_item_edit", args=[done.pk])
    response = client.post(edit, _form(kind="study", month="3", topic="学习党章"))
    assert "已有活动落实该事项，不能修改类型。" in response.content.decode()


def test_copy_last_years_plan(tree, login):
    client = login("secretary")
    copy = reverse("orglife:plan_copy")
    response = client.post(copy, {"organization": tree.b1.pk, "year": YEAR}, follow=True)
    assert "2024年度没有计划事项可以沿用。" in response.content.decode()
    _item(tree, month=2, year=YEAR - 1)
    _item(tree, month=6, year=YEAR - 1, topic="七一主题党日")
    response = client.post(copy, {"organization": tree.b1.pk, "year": YEAR}, follow=True)
    assert "已沿用2024年度的2项计划事项" in response.content.decode()
    assert sorted(PlanItem.objects.filter(year=YEAR).values_list("month", flat=True)) == [2, 6]
    response = client.post(copy, {"organization": tree.b1.pk, "year": YEAR}, follow=True)
    assert "2025年度已有计划事项，不能再沿用上年度计划。" in response.content.decode()
    response = client.post(copy, {"organization": tree.b1.pk, "year": "明年"}, follow=True)
    assert "年度应为2000至2100之间的整数。" in response.content.decode()
    assert PlanItem.objects.filter(year=YEAR).count() == 2
    assert client.get(copy).status_code == 405


def test_copy_button_only_for_an_empty_year(tree, login):
    client = login("secretary")
    assert 'data-testid="plan-copy"' in client.get(_page(tree)).content.decode()
    _item(tree)
    assert 'data-testid="plan-copy"' not in client.get(_page(tree)).content.decode()


def test_a_member_of_the_branch_reads_the_plan(tree, personas, login):
    _item(tree)
    person = members(tree.b1, 1)[0]
    person.user = personas["member"]
    person.save(update_fields=["user"])
    page = login("member").get(reverse("orglife:plans"))
    assert page.status_code == 200 and page.context["organization"] == tree.b1
    assert page.context["total"] == 0 or page.context["year"] != YEAR
    page = login("member").get(_page(tree))
    assert page.context["total"] == 1 and not page.context["can_edit"]
    assert 'data-testid="plan-add"' not in page.content.decode()
    assert login("member").get(_add_url(tree)).status_code == 403


def test_bad_year_and_other_branches(tree, login):
    client = login("committee")
    page = client.get(reverse("orglife:plans") + f"?organization={tree.b1.pk}&year=abc")
    assert page.context["year"] == timezone.localdate().year
    assert "年度应为2000至2100之间的整数，已显示本年度。" in page.content.decode()
    page = client.get(reverse("orglife:plans") + f"?organization={tree.c1.pk}")
    assert "年度计划由党支部编制，请选择党支部。" in page.content.decode()
    assert [o.pk for o in page.context["options"]] == [tree.b1.pk, tree.b2.pk]
    assert client.get(reverse("orglife:plans") + f"?organization={tree.b3.pk}").status_code == 404


def test_plan_page_query_count_is_constant(tree, login, django_assert_max_num_queries):
    client = login("committee")
    first = _item(tree, month=1)
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 8), plan_item=first.pk)
    client.get(_page(tree))
    with django_assert_max_num_queries(12) as few:
        client.get(_page(tree))
    for month in range(2, 13):
        item = _item(tree, month=month, topic=f"第{month}月主题党日")
        held(tree.b1, EventKind.THEME_DAY, date(YEAR, month, 8), plan_item=item.pk)
        _item(tree, month=month, topic=f"第{month}月学习")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(_page(tree))
    assert page.context["done"] == 12 and page.context["total"] == 23
