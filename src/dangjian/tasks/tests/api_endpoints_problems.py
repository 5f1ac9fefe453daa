"""The tasks API, problems, in the permission matrix.

Problems are listed by C1 for B1 to rectify. Univ and committee (C1) act on both sides; the
secretary (B1) rectifies (ledger, progress, close-out) but is refused the issuer's verify,
reopen and delete (403) and cannot name C1 as issuer (404); the member has no grant (403);
the outsider (C2) sees nothing of them (404) and an empty list.
"""

from __future__ import annotations

from typing import Any

from dangjian.core.testing.matrix import STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import Problem
from dangjian.tasks.testing import close, evidence, make_problem
from dangjian.tasks.tests.api_endpoints_plans import EVIDENCE

BASE = "/api/v1/tasks"
PROBLEM = f"{BASE}/problems/{{problem_id}}"
ISSUER = {"univ", "committee"}
OUTSIDE = {"outsider"}
LEDGER = {"measures": "制定整改方案", "responsible": "李书记"}


def _listed(tree: Tree) -> Problem:
    return make_problem(tree.c1, tree.b1)


def _rectifying(tree: Tree) -> Problem:
    problem = _listed(tree)
    return actions.open_ledger(problem, LEDGER | {"deadline": problem.listed_on}, acting_user=None)


def listed(tree: Tree) -> dict[str, Any]:
    return {"problem_id": _listed(tree).pk}


def rectifying(tree: Tree) -> dict[str, Any]:
    return {"problem_id": _rectifying(tree).pk}


def submitted(tree: Tree) -> dict[str, Any]:
    problem = _rectifying(tree)
    actions.submit_closure(problem, "已整改到位", [evidence()], acting_user=None)
    return {"problem_id": problem.pk}


def closed(tree: Tree) -> dict[str, Any]:
    return {"problem_id": close(_listed(tree)).pk}


def new_problem(tree: Tree) -> dict[str, Any]:
    return {
        "issuer": tree.c1.pk,
        "unit": tree.b1.pk,
        "year": 2023,
        "source": "investigation",
        "category": "organization",
        "description": "主题党日形式单一",
    }


def ledger(tree: Tree) -> dict[str, Any]:
    return LEDGER | {"deadline": "2099-12-31"}


ENDPOINTS: list[Endpoint] = [
    Endpoint(f"{BASE}/problems", api=True, ok=STAFF | OUTSIDE),
    Endpoint(
        f"{BASE}/problems",
        api=True,
        method="POST",
        ok=ISSUER,
        not_found={"secretary", "outsider"},
        data=new_problem,
    ),
    Endpoint(PROBLEM, api=True, ok=STAFF, not_found=OUTSIDE, args=listed),
    Endpoint(
        f"{PROBLEM}/ledger",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=listed,
        data=ledger,
    ),
    Endpoint(
        f"{PROBLEM}/progress",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=rectifying,
        data=lambda t: {"note": "已召开专题组织生活会"},
    ),
    Endpoint(
        f"{PROBLEM}/submit",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=rectifying,
        data=lambda t: {"note": "已整改到位", "files": [EVIDENCE]},
    ),
    Endpoint(
        f"{PROBLEM}/verify",
        api=True,
        method="POST",
        ok=ISSUER,
        not_found=OUTSIDE,
        args=submitted,
        data=lambda t: {"accept": True, "note": "核验属实，同意销号"},
        note="the responsible unit (secretary) sees the problem but only the issuer closes it",
    ),
    Endpoint(
        f"{PROBLEM}/reopen",
        api=True,
        method="POST",
        ok=ISSUER,
        not_found=OUTSIDE,
        args=closed,
        data=lambda t: {"reason": "回访发现问题反弹"},
    ),
    Endpoint(PROBLEM, api=True, method="DELETE", ok=ISSUER, not_found=OUTSIDE, args=listed),
]
