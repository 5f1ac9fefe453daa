"""The recruitment API in the permission matrix.

Each request gets a fresh tree; the case is the member persona's own (an applicant in B1
linked to their account), so the member sees it but may not act on it; the outsider (C2)
does not see it at all (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.accounts.models import User
from dangjian.core.testing.matrix import BUSINESS, IN_C1, STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.members.models import Person
from dangjian.recruitment import actions
from dangjian.recruitment.testing import applicant, schedule, walk

BASE = "/api/v1/recruitment"
CASE = f"{BASE}/cases/{{case_id}}"
OUTSIDE = {"outsider"}
DAYS = schedule(date(2023, 3, 1))


def own_applicant(tree: Tree) -> Person:
    """An applicant in B1 whose account is the member persona's (linked as test data)."""
    person = applicant(tree.b1, name="李申请")
    Person.objects.filter(pk=person.pk).update(user=User.objects.get(username="member"))
    return Person.objects.get(pk=person.pk)


def on_case(tree: Tree) -> dict[str, Any]:
    """The member persona's case, talked to (step 2 done; step 3 next)."""
    return {"case_id": walk(own_applicant(tree), through=2).pk}


def on_step_3(tree: Tree) -> dict[str, Any]:
    return {**on_case(tree), "number": 3}


def on_submitted(tree: Tree) -> dict[str, Any]:
    """Step 4 (filing with the committee) submitted by the secretary, waiting for C1."""
    person = own_applicant(tree)
    case = walk(person, through=3)
    outcome = actions.record_step(
        case, 4, occurred_on=DAYS[4], acting_user=User.objects.get(username="secretary")
    )
    return {"record_id": outcome.record.pk}


def new_case(tree: Tree) -> dict[str, Any]:
    person = applicant(tree.b1, name="赵申请")
    return {"person": person.pk, "applied_on": DAYS[1].isoformat(), "data": {}}


def step_3(tree: Tree) -> dict[str, Any]:
    data = {"source": "league", "decided_by": "branch_committee"}
    return {"occurred_on": DAYS[3].isoformat(), "data": data}


ENDPOINTS = [
    Endpoint(f"{BASE}/steps", api=True, ok=BUSINESS),
    Endpoint(f"{BASE}/cases", api=True, ok=BUSINESS),
    Endpoint(
        f"{BASE}/cases",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=new_case,
        note="the applicant in B1 does not exist for the outsider",
    ),
    Endpoint(CASE, api=True, ok=IN_C1, not_found=OUTSIDE, args=on_case),
    Endpoint(
        f"{CASE}/steps/{{number}}",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_step_3,
        data=step_3,
    ),
    Endpoint(
        f"{CASE}/cancel",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_case,
        data=lambda t: {"reason": "withdrawn", "on": DAYS[3].isoformat(), "note": "本人撤回"},
    ),
    Endpoint(
        f"{BASE}/records/{{record_id}}/review",
        api=True,
        method="POST",
        ok={"univ", "committee"},
        not_found=OUTSIDE,
        args=on_submitted,
        data=lambda t: {"decision": "approved", "decided_on": DAYS[4].isoformat()},
        note="the branch secretary sees the record but only the committee above reviews (403)",
    ),
]
