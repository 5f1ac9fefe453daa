"""The tasks API, responsibility lists, in the permission matrix.

Lists are B1's: univ, committee (C1) and secretary (B1) keep them; the member has no grant
(403); the outsider (C2) does not see them (404) and gets an empty list.
"""

from __future__ import annotations

from typing import Any

from dangjian.core.testing.matrix import STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import ListItem, ResponsibilityList

BASE = "/api/v1/tasks"
LIST = f"{BASE}/lists/{{list_id}}"
ITEM = f"{BASE}/list-items/{{item_id}}"
OUTSIDE = {"outsider"}
YEAR = 2025


def duty_list(tree: Tree, year: int = YEAR) -> ResponsibilityList:
    made = actions.create_list(tree.b1, year, "responsibility", acting_user=None)
    actions.save_item(
        made, {"content": "落实党建工作责任制", "owner": "支部书记"}, acting_user=None
    )
    return made


def a_list(tree: Tree) -> dict[str, Any]:
    return {"list_id": duty_list(tree).pk}


def an_item(tree: Tree) -> dict[str, Any]:
    item: ListItem = duty_list(tree).items.get()
    return {"item_id": item.pk}


def copy(tree: Tree) -> dict[str, Any]:
    duty_list(tree, YEAR - 1)
    return {"organization": tree.b1.pk, "from_year": YEAR - 1, "to_year": YEAR}


ENDPOINTS: list[Endpoint] = [
    Endpoint(f"{BASE}/lists", api=True, ok=STAFF | OUTSIDE),
    Endpoint(
        f"{BASE}/lists",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=lambda t: {"organization": t.b1.pk, "year": YEAR, "kind": "task"},
    ),
    Endpoint(f"{BASE}/lists/copy", api=True, method="POST", ok=STAFF, not_found=OUTSIDE, data=copy),
    Endpoint(LIST, api=True, ok=STAFF, not_found=OUTSIDE, args=a_list),
    Endpoint(LIST, api=True, method="DELETE", ok=STAFF, not_found=OUTSIDE, args=a_list),
    Endpoint(f"{LIST}/items", api=True, ok=STAFF, not_found=OUTSIDE, args=a_list),
    Endpoint(
        f"{LIST}/items",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=a_list,
        data=lambda t: {"content": "每季度听取党建工作汇报", "deadline": "2025-12-31"},
    ),
    Endpoint(
        ITEM,
        api=True,
        method="PATCH",
        ok=STAFF,
        not_found=OUTSIDE,
        args=an_item,
        data=lambda t: {"status": "done"},
    ),
    Endpoint(ITEM, api=True, method="DELETE", ok=STAFF, not_found=OUTSIDE, args=an_item),
]
