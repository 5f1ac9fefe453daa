"""The responsibility-list pages in the permission matrix.

Lists are B1's: univ, committee (C1) and secretary (B1) keep them; the member has no grant on
lists (403); the outsider (committee staff of C2) does not see B1 (404).
"""

from __future__ import annotations

from typing import Any

from dangjian.core.testing.matrix import STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import ResponsibilityList

OUTSIDE = {"outsider"}
YEAR = 2025


def duty_list(tree: Tree, year: int = YEAR) -> ResponsibilityList:
    made = actions.create_list(tree.b1, year, "responsibility", acting_user=None)
    actions.save_item(
        made, {"content": "落实党建工作责任制", "owner": "支部书记"}, acting_user=None
    )
    return made


def a_list(tree: Tree) -> dict[str, Any]:
    return {"pk": duty_list(tree).pk}


def the_list(tree: Tree) -> dict[str, Any]:
    return {"list": duty_list(tree).pk}


def an_item(tree: Tree) -> dict[str, Any]:
    return {"item": duty_list(tree).items.get().pk}


def item_data(tree: Tree) -> dict[str, str]:
    return {"content": "每季度听取党建工作汇报", "owner": "支部委员会", "status": "planned"}


def copy_data(tree: Tree) -> dict[str, Any]:
    duty_list(tree, YEAR - 1)
    return {"org": tree.b1.pk, "from_year": str(YEAR - 1), "to_year": str(YEAR)}


def b1(tree: Tree) -> dict[str, Any]:
    return {"org": tree.b1.pk, "year": str(YEAR)}


ENDPOINTS = [
    Endpoint("tasks:lists", ok=STAFF, not_found=OUTSIDE, data=b1),
    Endpoint("tasks:list_add", ok=STAFF, not_found=OUTSIDE, data=b1),
    Endpoint(
        "tasks:list_add",
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=lambda t: b1(t) | {"kind": "task", "note": ""},
    ),
    Endpoint("tasks:list", ok=STAFF, not_found=OUTSIDE, args=a_list),
    Endpoint("tasks:list_export", ok=STAFF, not_found=OUTSIDE, args=a_list),
    Endpoint("tasks:item_add", ok=STAFF, not_found=OUTSIDE, args=the_list),
    Endpoint(
        "tasks:item_add", method="POST", ok=STAFF, not_found=OUTSIDE, args=the_list, data=item_data
    ),
    Endpoint("tasks:item_edit", ok=STAFF, not_found=OUTSIDE, args=an_item),
    Endpoint(
        "tasks:item_edit", method="POST", ok=STAFF, not_found=OUTSIDE, args=an_item, data=item_data
    ),
    Endpoint("tasks:item_delete", ok=STAFF, not_found=OUTSIDE, args=an_item),
    Endpoint(
        "tasks:item_delete",
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=an_item,
        data=lambda t: {},
    ),
    Endpoint("tasks:lists_copy", method="POST", ok=STAFF, not_found=OUTSIDE, data=copy_data),
]
