"""The member registry API in the permission matrix (web views: endpoints.py).

The records each operation needs are made through the actions in `args` (the matrix gives
every request a fresh tree): people in B1 (the member persona's own record among them), a
transfer, a correction request and a cadre record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.accounts.models import User
from dangjian.core.testing.matrix import BUSINESS, IN_C1, STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.models import Person
from dangjian.members.testing import make_id_number, make_person

MEMBERS = "/api/v1/members"
PERSON = "/api/v1/members/{person_id}"
TRANSFER = "/api/v1/members/transfers/{transfer_id}"

EDITORS = STAFF  # univ, committee, secretary: add and change people in B1
ABOVE_B = {"univ", "committee"}
OUTSIDE = {"outsider"}
ON = "2024-01-02"


def own_person(tree: Tree, **overrides: Any) -> Person:
    """A full member in B1 whose account is the member persona's (linked as test data)."""
    person = make_person(tree.b1, name="李党员", **overrides)
    Person.objects.filter(pk=person.pk).update(user=User.objects.get(username="member"))
    return person


def on_person(tree: Tree) -> dict[str, Any]:
    return {"person_id": own_person(tree).pk}


def on_floating(tree: Tree) -> dict[str, Any]:
    person = own_person(tree)
    actions.start_floating(
        person, destination="深圳", on=date(2023, 9, 1), until=None, acting_user=None
    )
    return {"person_id": person.pk}


def on_lost(tree: Tree) -> dict[str, Any]:
    person = own_person(tree)
    actions.mark_lost_contact(person, since=date(2023, 1, 1), acting_user=None)
    return {"person_id": person.pk}


def on_suspended(tree: Tree) -> dict[str, Any]:
    person = own_person(tree)
    actions.suspend(person, on=date(2023, 7, 1), reason="失联满6个月", acting_user=None)
    return {"person_id": person.pk}


def on_cadre(tree: Tree) -> dict[str, Any]:
    person = own_person(tree)
    actions.save_cadre(
        person,
        {"rank": "division_chief", "position": "院长", "unit": "文学院"},
        acting_user=None,
    )
    return {"person_id": person.pk}


def on_outbound(tree: Tree) -> dict[str, Any]:
    """A letter out of the university for the member persona's own record."""
    transfer = actions.issue_transfer(
        own_person(tree),
        direction="outbound",
        letter_no="湘大组转〔2024〕1号",
        issued_on=date(2024, 1, 2),
        other_institution="湖南大学党委",
        acting_user=None,
    )
    return {"transfer_id": transfer.pk}


def on_into_b1(tree: Tree) -> dict[str, Any]:
    """A letter from B2 into B1: the secretary of B1 receives it."""
    transfer = actions.issue_transfer(
        make_person(tree.b2, name="王转入"),
        direction="internal",
        letter_no="文党〔2024〕2号",
        issued_on=date(2024, 1, 2),
        to_organization=tree.b1,
        acting_user=None,
    )
    return {"transfer_id": transfer.pk}


def on_correction(tree: Tree) -> dict[str, Any]:
    person = own_person(tree)
    correction = actions.request_correction(
        person, field="address", proposed="长沙市岳麓区", reason="搬家", acting_user=None
    )
    return {"correction_id": correction.pk}


def new_person(tree: Tree) -> dict[str, Any]:
    return {
        "name": "赵新",
        "id_number": make_id_number(date(1998, 5, 4), "female"),
        "organization": tree.b1.pk,
        "category": "applicant",
        "applied_on": "2023-03-01",
    }


def inbound(tree: Tree) -> dict[str, Any]:
    return {
        **new_person(tree),
        "category": "full",
        "applied_on": None,
        "joined_on": "2019-06-01",
        "converted_on": "2020-06-01",
        "other_institution": "湖南大学物理学院党委",
        "letter_no": "湖大组转〔2024〕8号",
        "received_on": ON,
    }


def lifecycle(suffix: str, data: dict[str, Any], args: Any = on_person) -> Endpoint:
    """A lifecycle change of a B1 person: staff of B1 and above; the member may not."""
    return Endpoint(
        f"{PERSON}{suffix}",
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        args=args,
        data=lambda t: data,
    )


ENDPOINTS = [
    # People
    Endpoint(MEMBERS, api=True, ok=BUSINESS),
    Endpoint(
        MEMBERS,
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        data=new_person,
        note="B1 does not exist for the outsider",
    ),
    Endpoint(PERSON, api=True, ok=IN_C1, not_found=OUTSIDE, args=on_person),
    Endpoint(
        PERSON,
        api=True,
        method="PATCH",
        ok=EDITORS,
        not_found=OUTSIDE,
        args=on_person,
        data=lambda t: {"address": "长沙市岳麓区麓山南路"},
    ),
    Endpoint(PERSON, api=True, method="DELETE", ok=ABOVE_B, not_found=OUTSIDE, args=on_person),
    Endpoint(
        f"{PERSON}/reveal",
        api=True,
        method="POST",
        ok={"univ", "committee", "member"},
        not_found=OUTSIDE,
        args=on_person,
        data=lambda t: {"field": "id_number"},
        note="the member reveals their own number; a secretary may not reveal (403, audited)",
    ),
    Endpoint(f"{PERSON}/timeline", api=True, ok=IN_C1, not_found=OUTSIDE, args=on_person),
    # Lifecycle
    Endpoint(
        f"{PERSON}/transfers",
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        args=on_person,
        data=lambda t: {
            "direction": "outbound",
            "letter_no": "湘大组转〔2024〕3号",
            "issued_on": ON,
            "other_institution": "中南大学党委",
        },
    ),
    lifecycle("/floating/start", {"destination": "深圳市南山区", "on": ON}),
    lifecycle("/floating/end", {"on": ON}, on_floating),
    lifecycle("/contact/lost", {"since": ON}),
    lifecycle("/contact/restored", {"on": ON}, on_lost),
    lifecycle("/suspend", {"on": ON, "reason": "失联满6个月"}),
    lifecycle("/restore", {"on": ON, "reason": "恢复联系并说明情况"}, on_suspended),
    lifecycle("/leave", {"on": ON, "reason": "withdrawal"}),
    lifecycle("/death", {"on": ON}),
    # Transfers
    Endpoint(f"{MEMBERS}/transfers", api=True, ok=BUSINESS),
    Endpoint(TRANSFER, api=True, ok=IN_C1, not_found=OUTSIDE, args=on_outbound),
    Endpoint(
        f"{TRANSFER}/receive",
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        args=on_into_b1,
        data=lambda t: {"received_on": ON},
    ),
    Endpoint(
        f"{TRANSFER}/return",
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        args=on_into_b1,
        data=lambda t: {"returned_on": ON, "reason": "转入组织有误"},
    ),
    Endpoint(
        f"{MEMBERS}/transfers/inbound",
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        data=inbound,
    ),
    # Self-service and corrections
    Endpoint(
        f"{MEMBERS}/me",
        api=True,
        ok={"member"},
        not_found=STAFF | OUTSIDE,
        args=on_person,
        note="staff accounts have no record of their own here (404)",
    ),
    Endpoint(
        f"{MEMBERS}/me/corrections",
        api=True,
        method="POST",
        ok={"member"},
        args=on_person,
        data=lambda t: {"field": "address", "proposed": "长沙市天心区", "reason": "搬家"},
    ),
    Endpoint(f"{MEMBERS}/corrections", api=True, ok=BUSINESS),
    Endpoint(
        f"{MEMBERS}/corrections/{{correction_id}}/decide",
        api=True,
        method="POST",
        ok=EDITORS,
        not_found=OUTSIDE,
        args=on_correction,
        data=lambda t: {"accept": True},
    ),
    # Cadres: the organization department keeps them; committees see their own unit's
    Endpoint(f"{MEMBERS}/cadres", api=True, ok={"univ", "committee", "outsider"}),
    Endpoint(f"{PERSON}/cadre", api=True, ok=ABOVE_B, not_found=OUTSIDE, args=on_cadre),
    Endpoint(
        f"{PERSON}/cadre",
        api=True,
        method="PUT",
        ok={"univ"},
        args=on_person,
        data=lambda t: {"rank": "deputy_division", "position": "副院长", "unit": "文学院"},
    ),
    Endpoint(
        f"{PERSON}/cadre/end",
        api=True,
        method="POST",
        ok={"univ"},
        args=on_cadre,
        data=lambda t: {"on": ON},
    ),
]
