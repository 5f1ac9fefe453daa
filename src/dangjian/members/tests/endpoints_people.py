"""People and lifecycle pages in the permission matrix (views/people.py, views/lifecycle.py).

The people are created in B1 by the args lambdas. The member persona is not linked to any
person, so a B1 person does not exist for them (404) on pages that read a record, and pages
that change one are refused for want of a grant (403). The outsider (committee staff of C2)
holds every grant but not over B1: 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile

from dangjian.core.testing.matrix import Endpoint
from dangjian.members import actions
from dangjian.members.testing import make_id_number, make_person

VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
ADDERS = {"univ", "committee", "secretary", "outsider"}
B1_EDITORS = {"univ", "committee", "secretary"}
DELETERS = {"univ", "committee"}  # the secretary may not delete records
REVEALERS = {"univ", "committee"}  # the secretary sees masked numbers only
NOT_B1 = {"outsider"}
NOT_VISIBLE = {"member", "outsider"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def person(tree: Any) -> dict[str, int]:
    return {"pk": make_person(tree.b1).pk}


def with_photo(tree: Any) -> dict[str, int]:
    someone = make_person(tree.b1)
    someone.photo.save("photo.png", ContentFile(PNG), save=True)
    return {"pk": someone.pk}


def floating(tree: Any) -> dict[str, int]:
    someone = make_person(tree.b1)
    actions.start_floating(
        someone, destination="深圳", on=date(2024, 1, 1), until=None, acting_user=None
    )
    return {"pk": someone.pk}


def lost(tree: Any) -> dict[str, int]:
    someone = make_person(tree.b1)
    actions.mark_lost_contact(someone, since=date(2024, 1, 1), acting_user=None)
    return {"pk": someone.pk}


def suspended(tree: Any) -> dict[str, int]:
    someone = make_person(tree.b1)
    actions.suspend(someone, on=date(2024, 1, 1), reason="失联满6个月", acting_user=None)
    return {"pk": someone.pk}


def cadre(tree: Any) -> dict[str, int]:
    someone = make_person(tree.b1)
    actions.save_cadre(
        someone, {"rank": "division_chief", "position": "院长", "unit": "文学院"}, acting_user=None
    )
    return {"pk": someone.pk}


def revealing(tree: Any) -> dict[str, Any]:
    return {"pk": make_person(tree.b1).pk, "field": "id_number"}


def new_person(tree: Any) -> dict[str, Any]:
    return {
        "name": "李四",
        "id_number": make_id_number(date(1992, 5, 4), "female"),
        "ethnicity": "01",
        "organization": tree.b1.pk,
        "category": "full",
        "joined_on": "2015-06-01",
        "converted_on": "2016-06-01",
    }


def edited(tree: Any) -> dict[str, Any]:
    return {
        "name": "张三丰",
        "ethnicity": "01",
        "category": "full",
        "joined_on": "2012-06-01",
        "converted_on": "2013-06-01",
    }


def _pair(name: str, ok: set[str], args: Any, data: dict[str, Any], **kw: Any) -> list[Endpoint]:
    """GET (the form) and POST (the action) of one lifecycle page."""
    return [
        Endpoint(name, ok=ok, args=args, **kw),
        Endpoint(name, method="POST", ok=ok, args=args, data=lambda t: data, **kw),
    ]


ENDPOINTS = [
    Endpoint("members:list", ok=VIEWERS, note="the member's list holds only themselves"),
    Endpoint("members:create", ok=ADDERS),
    Endpoint(
        "members:create",
        method="POST",
        ok=ADDERS,
        data=new_person,
        note="B1 is not offered to the outsider: the form comes back with an error (200)",
    ),
    Endpoint("members:detail", ok=B1_EDITORS, not_found=NOT_VISIBLE, args=person),
    Endpoint("members:edit", ok=B1_EDITORS, not_found=NOT_B1, args=person),
    Endpoint(
        "members:edit", method="POST", ok=B1_EDITORS, not_found=NOT_B1, args=person, data=edited
    ),
    Endpoint("members:delete", ok=DELETERS, not_found=NOT_B1, args=person),
    Endpoint("members:delete", method="POST", ok=DELETERS, not_found=NOT_B1, args=person),
    Endpoint(
        "members:reveal",
        method="POST",
        ok=REVEALERS,
        not_found=NOT_VISIBLE,
        args=revealing,
        note="GET is 405; the secretary's refusal is 403 and audited",
    ),
    Endpoint("members:photo", ok=B1_EDITORS, not_found=NOT_VISIBLE, args=with_photo),
    *_pair(
        "members:transfer_issue",
        B1_EDITORS,
        person,
        {
            "direction": "outbound",
            "other_institution": "某某大学文学院党委",
            "letter_no": "2024-01",
            "issued_on": "2024-01-05",
        },
        not_found=NOT_B1,
    ),
    *_pair(
        "members:floating_start",
        B1_EDITORS,
        person,
        {"destination": "深圳市", "on": "2024-01-01"},
        not_found=NOT_B1,
    ),
    *_pair("members:floating_end", B1_EDITORS, floating, {"on": "2024-03-01"}, not_found=NOT_B1),
    *_pair("members:contact_lost", B1_EDITORS, person, {"since": "2024-01-01"}, not_found=NOT_B1),
    *_pair("members:contact_restored", B1_EDITORS, lost, {"on": "2024-03-01"}, not_found=NOT_B1),
    *_pair(
        "members:suspend",
        B1_EDITORS,
        person,
        {"on": "2024-01-01", "reason": "失联满6个月"},
        not_found=NOT_B1,
    ),
    *_pair(
        "members:restore",
        B1_EDITORS,
        suspended,
        {"on": "2024-03-01", "reason": "组织决定"},
        not_found=NOT_B1,
    ),
    *_pair(
        "members:leave",
        B1_EDITORS,
        person,
        {"on": "2024-01-01", "reason": "withdrawal"},
        not_found=NOT_B1,
    ),
    *_pair("members:death", B1_EDITORS, person, {"on": "2024-01-01"}, not_found=NOT_B1),
    # Cadre records are the organization department's: only university staff change them.
    *_pair(
        "members:cadre_edit",
        {"univ"},
        person,
        {"rank": "deputy_division", "position": "副院长", "unit": "文学院"},
        not_found=NOT_B1,
    ),
    *_pair("members:cadre_end", {"univ"}, cadre, {"on": "2024-01-01"}, not_found=NOT_B1),
]
