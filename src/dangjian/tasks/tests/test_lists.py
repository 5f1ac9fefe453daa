"""Responsibility, task and institution lists: items, and a year started from last year's."""

from __future__ import annotations

import pytest

from dangjian.core.errors import DomainError
from dangjian.tasks import actions
from dangjian.tasks.choices import ItemStatus, ListKind
from dangjian.tasks.models import ListItem, ResponsibilityList

pytestmark = pytest.mark.django_db


def _lists(org, year=2023):
    made = []
    for kind in ListKind.values:
        duty_list = actions.create_list(org, year, kind, acting_user=None)
        actions.save_item(
            duty_list, {"content": f"{kind}事项一", "owner": "党委书记"}, acting_user=None
        )
        made.append(duty_list)
    return made


def test_items_are_added_changed_and_removed(tree, personas):
    duty_list = actions.create_list(
        tree.c1, 2023, ListKind.RESPONSIBILITY, acting_user=personas["committee"]
    )
    item = actions.save_item(
        duty_list,
        {"content": "落实党建工作责任制", "owner": "书记"},
        acting_user=personas["committee"],
    )
    assert item.status == ItemStatus.PLANNED and item.position == 1
    actions.save_item(duty_list, {"status": ItemStatus.DONE}, item, acting_user=None)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.content == "落实党建工作责任制"
    with pytest.raises(DomainError, match="请选择状态"):
        actions.save_item(duty_list, {"status": "finished"}, item, acting_user=None)
    with pytest.raises(DomainError, match="请填写内容"):
        actions.save_item(duty_list, {"content": " "}, acting_user=None)
    actions.delete_item(item, acting_user=None)
    assert not ListItem.objects.exists()


def test_a_list_exists_once_per_organization_year_and_kind(tree, personas):
    actions.create_list(tree.c1, 2023, ListKind.TASK, acting_user=None)
    with pytest.raises(DomainError, match="已经建立"):
        actions.create_list(tree.c1, "2023", ListKind.TASK, acting_user=None)
    with pytest.raises(DomainError, match="年度"):
        actions.create_list(tree.c1, "二〇二三", ListKind.TASK, acting_user=None)
    with pytest.raises(DomainError, match="无权"):
        actions.create_list(tree.c1, 2024, ListKind.TASK, acting_user=personas["outsider"])


def test_a_year_starts_from_last_years_lists(tree):
    old = _lists(tree.c1, 2023)
    actions.save_item(old[0], {"status": ItemStatus.DONE}, old[0].items.get(), acting_user=None)
    made = actions.copy_year(tree.c1, 2023, 2024, acting_user=None)
    assert len(made) == 3
    copied = ListItem.objects.filter(duty_list__year=2024)
    assert copied.count() == 3 and set(copied.values_list("status", flat=True)) == {
        ItemStatus.PLANNED
    }
    with pytest.raises(DomainError, match="均已建立"):
        actions.copy_year(tree.c1, 2023, 2024, acting_user=None)
    with pytest.raises(DomainError, match="没有2020年的清单"):
        actions.copy_year(tree.c1, 2020, 2025, acting_user=None)
    assert ResponsibilityList.objects.filter(year=2025).count() == 0
