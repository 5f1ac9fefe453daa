"""The responsibility-list pages: the year's three cards with their counts, setting up a list,
adding, changing and deleting items with their Chinese refusals, copying last year's lists,
the Excel export, and constant query counts."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.tasks import actions
from dangjian.tasks.choices import ItemStatus
from dangjian.tasks.models import ListItem, ResponsibilityList

pytestmark = pytest.mark.django_db
YEAR = 2025


def _list(tree, year: int = YEAR, kind: str = "responsibility", items: int = 1):
    duty_list = actions.create_list(tree.b1, year, kind, acting_user=None)
    for n in range(items):
        actions.save_item(
            duty_list, {"content": f"落实党建工作责任制{n + 1}", "owner": "书记"}, acting_user=None
        )
    return duty_list


def _index(tree, year: int = YEAR) -> str:
    return reverse("tasks:lists") + f"?org={tree.b1.pk}&year={year}"


def _item_form(**changes: str) -> dict[str, str]:
    return {
        "content": "每季度听取党建工作汇报",
        "owner": "支部委员会",
        "status": "planned",
    } | changes


def test_the_index_shows_the_three_lists_with_counts(tree, login):
    duty_list = _list(tree, items=2)
    actions.save_item(
        duty_list, {"status": ItemStatus.DONE}, duty_list.items.first(), acting_user=None
    )
    page = login("secretary").get(_index(tree))
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("主体责任清单", "任务清单", "制度清单"):
        assert label in html
    assert "已完成 1" in html and "完成率 50%" in html
    assert reverse("tasks:list", args=[duty_list.pk]) in html
    assert html.count('data-testid="list-add"') == 2
    assert 'data-testid="lists-copy"' in html


def test_the_index_defaults_to_the_callers_organization_and_this_year(tree, login):
    page = login("committee").get(reverse("tasks:lists"))
    assert page.context["organization"] == tree.c1
    page = login("committee").get(reverse("tasks:lists") + f"?org={tree.b1.pk}&year=明年")
    assert "年度应为2000至2100之间的整数，已显示本年度。" in page.content.decode()
    assert login("committee").get(reverse("tasks:lists") + f"?org={tree.b3.pk}").status_code == 404
    assert login("member").get(reverse("tasks:lists")).status_code == 403


def test_setting_up_a_list_refuses_a_bad_year_and_a_second_one(tree, login):
    client = login("secretary")
    url = reverse("tasks:list_add") + f"?org={tree.b1.pk}&year={YEAR}&kind=task"
    assert client.get(url).context["form"].initial["kind"] == "task"
    response = client.post(url, {"year": "二〇二五", "kind": "task"})
    assert "年度应为2000至2100之间的整数。" in response.content.decode()
    assert not ResponsibilityList.objects.exists()
    response = client.post(url, {"year": str(YEAR), "kind": "task", "note": "依据党委工作要点"})
    made = ResponsibilityList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "tasks:list", args=[made.pk]
    )
    response = client.post(url, {"year": str(YEAR), "kind": "task"})
    assert "文学院教工第一党支部2025年的任务清单已经建立。" in response.content.decode()
    assert ResponsibilityList.objects.count() == 1


def test_items_are_added_changed_and_deleted(tree, login):
    duty_list = _list(tree, items=0)
    client = login("secretary")
    add = reverse("tasks:item_add", args=[duty_list.pk])
    response = client.post(add, _item_form(content="  "))
    assert "请填写内容。" in response.content.decode()
    response = client.post(add, _item_form(deadline="2025-13-01"))
    assert "日期" in response.content.decode()
    assert not ListItem.objects.exists()
    assert client.post(add, _item_form(deadline="2025-12-31")).status_code == 302
    item = ListItem.objects.get()
    assert (item.position, str(item.deadline)) == (1, "2025-12-31")
    edit = reverse("tasks:item_edit", args=[item.pk])
    assert client.get(edit).context["form"].initial["deadline"] == "2025-12-31"
    response = client.post(edit, _item_form(status="finished"))
    assert "请选择状态。" in response.content.decode()
    client.post(edit, _item_form(status="done", note="已形成制度"))
    item.refresh_from_db()
    assert (item.status, item.note) == (ItemStatus.DONE, "已形成制度")
    page = client.get(reverse("tasks:list", args=[duty_list.pk])).content.decode()
    assert "已形成制度" in page and "text-bg-success" in page
    delete = reverse("tasks:item_delete", args=[item.pk])
    assert "确定从2025年主体责任清单中删除第1项" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not ListItem.objects.exists()


def test_copying_last_years_lists(tree, login):
    client = login("secretary")
    copy = reverse("tasks:lists_copy")
    data = {"org": tree.b1.pk, "from_year": YEAR - 1, "to_year": YEAR}
    response = client.post(copy, data, follow=True)
    assert "文学院教工第一党支部没有2024年的清单可沿用。" in response.content.decode()
    _list(tree, YEAR - 1, items=2)
    _list(tree, YEAR - 1, kind="institution")
    response = client.post(copy, data, follow=True)
    assert "已沿用2024年的2份清单" in response.content.decode()
    assert ListItem.objects.filter(duty_list__year=YEAR).count() == 3
    response = client.post(copy, data, follow=True)
    assert "2025年的这些清单均已建立，无需沿用。" in response.content.decode()
    assert ResponsibilityList.objects.filter(year=YEAR).count() == 2
    assert client.get(copy).status_code == 405
    outsider = login("outsider")
    assert outsider.post(copy, data).status_code == 404


def test_a_list_exports_to_excel(tree, login):
    duty_list = _list(tree, items=3)
    response = login("committee").get(reverse("tasks:list_export", args=[duty_list.pk]))
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "内容", "责任人（部门）")
    assert rows[1][:3] == (1, "落实党建工作责任制1", "书记") and rows[1][4] == "未开始"
    assert len(rows) == 4


def test_pages_query_counts_are_constant(tree, login, django_assert_max_num_queries):
    client = login("committee")
    duty_list = _list(tree, items=1)
    list_url = reverse("tasks:list", args=[duty_list.pk])
    client.get(_index(tree))
    with django_assert_max_num_queries(14) as index_few:
        client.get(_index(tree))
    client.get(list_url)
    with django_assert_max_num_queries(14) as list_few:
        client.get(list_url)
    for kind in ("task", "institution"):
        _list(tree, kind=kind, items=5)
    for n in range(30):
        actions.save_item(duty_list, {"content": f"事项{n}"}, acting_user=None)
    with django_assert_max_num_queries(len(index_few.captured_queries)):
        client.get(_index(tree))
    with django_assert_max_num_queries(len(list_few.captured_queries)):
        page = client.get(list_url)
    assert page.context["total"] == 31
