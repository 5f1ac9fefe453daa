"""The yearly plan pages in the permission matrix.

Plans are B1's. The member persona may view plans only of the branch their person belongs to
and is linked to no person: B1's plan does not exist for them (404), and every change is
refused for want of a grant (403). The outsider (committee staff of C2) is outside B1: 404.
"""

from __future__ import annotations

from typing import Any

from dangjian.core.testing.matrix import Endpoint
from dangjian.orglife import plans

B1_STAFF = {"univ", "committee", "secretary"}
NOT_B1 = {"outsider"}
YEAR = 2025


def item_of_b1(tree: Any, year: int = YEAR) -> Any:
    data = {"year": year, "month": 3, "kind": "theme_day", "topic": "学习党章主题党日"}
    return plans.save_plan_item(tree.b1, data, acting_user=None)


def item(tree: Any) -> dict[str, int]:
    return {"pk": item_of_b1(tree).pk}


def item_data(tree: Any) -> dict[str, Any]:
    return {"organization": tree.b1.pk, "year": str(YEAR), "month": "5", "kind": "lecture"} | {
        "topic": "七一专题党课",
        "speaker_name": "王书记",
    }


def copy_data(tree: Any) -> dict[str, Any]:
    """Last year has an item: the copy succeeds for those who may add."""
    item_of_b1(tree, YEAR - 1)
    return {"organization": tree.b1.pk, "year": str(YEAR)}


ENDPOINTS = [
    Endpoint(
        "orglife:plans",
        ok=B1_STAFF,
        not_found=NOT_B1 | {"member"},
        data=lambda tree: {"organization": tree.b1.pk, "year": str(YEAR)},
    ),
    Endpoint(
        "orglife:plan_item_add",
        ok=B1_STAFF,
        not_found=NOT_B1,
        data=lambda tree: {"organization": tree.b1.pk, "year": str(YEAR)},
    ),
    Endpoint("orglife:plan_item_add", method="POST", ok=B1_STAFF, not_found=NOT_B1, data=item_data),
    Endpoint("orglife:plan_item_edit", ok=B1_STAFF, not_found=NOT_B1, args=item),
    Endpoint(
        "orglife:plan_item_edit",
        method="POST",
        ok=B1_STAFF,
        not_found=NOT_B1,
        args=item,
        data=item_data,
    ),
    Endpoint("orglife:plan_item_delete", ok=B1_STAFF, not_found=NOT_B1, args=item),
    Endpoint(
        "orglife:plan_item_delete",
        method="POST",
        ok=B1_STAFF,
        not_found=NOT_B1,
        args=item,
        data=lambda tree: {},
    ),
    Endpoint("orglife:plan_copy", method="POST", ok=B1_STAFF, not_found=NOT_B1, data=copy_data),
]
