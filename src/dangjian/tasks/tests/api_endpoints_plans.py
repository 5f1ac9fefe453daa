"""The tasks API, plans and tasks, in the permission matrix.

Plans are C1's, each task led by B1. Univ and committee (C1) issue and check them; the
secretary (B1) does not see the plan (404) but sees, reports on and splits B1's task, and is
refused the issuer's operations on it (403); the member has no grant (403); the outsider (C2)
sees nothing of C1 (404) and an empty list.
"""

from __future__ import annotations

import base64
from typing import Any

from dangjian.core.testing.matrix import STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import Plan
from dangjian.tasks.testing import PDF, accept, evidence, make_plan

BASE = "/api/v1/tasks"
PLAN = f"{BASE}/plans/{{plan_id}}"
TASK = f"{BASE}/tasks/{{task_id}}"
ISSUER = {"univ", "committee"}
OUTSIDE = {"outsider"}
NOT_C1 = {"secretary", "outsider"}
EVIDENCE = {"name": "佐证材料.pdf", "content": base64.b64encode(PDF).decode()}


def plan(tree: Tree, *, issue: bool = True) -> Plan:
    return make_plan(tree.c1, [tree.b1], issue=issue)


def issued(tree: Tree) -> dict[str, Any]:
    return {"plan_id": plan(tree).pk}


def draft(tree: Tree) -> dict[str, Any]:
    return {"plan_id": plan(tree, issue=False).pk}


def all_accepted(tree: Tree) -> dict[str, Any]:
    made = plan(tree)
    accept(made.tasks.get())
    return {"plan_id": made.pk}


def task(tree: Tree) -> dict[str, Any]:
    return {"task_id": plan(tree).tasks.get().pk}


def claim(tree: Tree) -> dict[str, Any]:
    """A task of B1 asking for acceptance."""
    one = plan(tree).tasks.get()
    report = actions.report_progress(
        one, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=None
    )
    return {"report_id": report.pk}


def new_plan(tree: Tree) -> dict[str, Any]:
    return {
        "organization": tree.c1.pk,
        "title": "学习贯彻主题教育实施方案",
        "starts_on": "2023-04-01",
        "ends_on": "2023-12-31",
    }


def new_task(tree: Tree) -> dict[str, Any]:
    return {
        "content": "组织开展专题学习研讨",
        "lead_unit": tree.b1.pk,
        "deadline": "2023-06-30",
        "criterion": "形成研讨记录并报送",
        "milestones": [{"due": "2023-05-01", "text": "制定方案"}],
    }


ENDPOINTS: list[Endpoint] = [
    Endpoint(f"{BASE}/plans", api=True, ok=STAFF | OUTSIDE),
    Endpoint(f"{BASE}/plans", api=True, method="POST", ok=ISSUER, not_found=NOT_C1, data=new_plan),
    Endpoint(PLAN, api=True, ok=ISSUER, not_found=NOT_C1, args=issued),
    Endpoint(
        PLAN,
        api=True,
        method="PATCH",
        ok=ISSUER,
        not_found=NOT_C1,
        args=issued,
        data=lambda t: {"description": "按季度督办"},
    ),
    Endpoint(PLAN, api=True, method="DELETE", ok=ISSUER, not_found=NOT_C1, args=draft),
    Endpoint(f"{PLAN}/issue", api=True, method="POST", ok=ISSUER, not_found=NOT_C1, args=draft),
    Endpoint(
        f"{PLAN}/close", api=True, method="POST", ok=ISSUER, not_found=NOT_C1, args=all_accepted
    ),
    Endpoint(f"{PLAN}/tasks", api=True, ok=ISSUER, not_found=NOT_C1, args=issued),
    Endpoint(
        f"{PLAN}/tasks",
        api=True,
        method="POST",
        ok=ISSUER,
        not_found=NOT_C1,
        args=draft,
        data=new_task,
    ),
    Endpoint(f"{BASE}/tasks", api=True, ok=STAFF | OUTSIDE),
    Endpoint(TASK, api=True, ok=STAFF, not_found=OUTSIDE, args=task),
    Endpoint(
        TASK,
        api=True,
        method="PATCH",
        ok=ISSUER,
        not_found=OUTSIDE,
        args=task,
        data=lambda t: {"responsible": "李书记"},
        note="the lead unit (secretary) sees the task but only the issuer changes it: 403",
    ),
    Endpoint(TASK, api=True, method="DELETE", ok=ISSUER, not_found=OUTSIDE, args=task),
    Endpoint(
        f"{TASK}/split",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=task,
        data=lambda t: {"parts": [{"lead_unit": t.g1.pk}]},
    ),
    Endpoint(f"{TASK}/reports", api=True, ok=STAFF, not_found=OUTSIDE, args=task),
    Endpoint(
        f"{TASK}/reports",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=task,
        data=lambda t: {"text": "已召开专题会议", "progress": 40, "files": [EVIDENCE]},
    ),
    Endpoint(
        f"{BASE}/reports/{{report_id}}/check",
        api=True,
        method="POST",
        ok=ISSUER,
        not_found=OUTSIDE,
        args=claim,
        data=lambda t: {"accept": True},
        note="the lead unit (secretary) sees the claim but only the issuer checks it: 403",
    ),
]
