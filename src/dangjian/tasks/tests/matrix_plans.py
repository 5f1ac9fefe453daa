"""Plans and tasks for the permission matrix of the plan pages (web and API).

C1 (文学院党委) issues a plan whose task is led by B1 (文学院教工第一党支部). Univ (over U)
and committee (C1) act for the issuer; the secretary (B1) leads the task: it sees the plan
through its task, reports, reaches milestones, but may not change the plan nor check (403).
The outsider (C2) sees none of it (404); the member holds no grant on plans (403).
A university plan with a task led by C1 is split by C1 into B1 and B2.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import Plan, Task, TaskReport
from dangjian.tasks.testing import accept, evidence, make_plan, task_data

ISSUER = {"univ", "committee"}
LEAD = ISSUER | {"secretary"}
OUTSIDE = {"outsider"}
HIDDEN = {"secretary", "outsider"}


def draft_plan(tree: Tree) -> Plan:
    """C1's plan in draft, one task led by B1."""
    return make_plan(tree.c1, [tree.b1], issue=False)


def issued_plan(tree: Tree) -> Plan:
    """C1's plan issued, one task led by B1 with a milestone."""
    plan = make_plan(tree.c1, [tree.b1], issue=False)
    task = plan.tasks.get()
    actions.save_task(
        plan,
        {"milestones": [{"due": "2023-05-01", "text": "制定方案"}]},
        task,
        acting_user=None,
    )
    actions.issue_plan(plan, acting_user=None)
    plan.refresh_from_db()
    return plan


def lead_task(tree: Tree) -> Task:
    return issued_plan(tree).tasks.get()


def claim(tree: Tree) -> TaskReport:
    """B1's claim for acceptance, pending."""
    return actions.report_progress(
        lead_task(tree), {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=None
    )


def all_accepted(tree: Tree) -> Plan:
    plan = issued_plan(tree)
    accept(plan.tasks.get())
    return plan


def splittable(tree: Tree) -> Task:
    """The university's issued plan, its task led by C1 (to split into B1 and B2)."""
    return make_plan(tree.university, [tree.c1]).tasks.get()


def plan_args(make: Any) -> Any:
    return lambda tree: {"pk": make(tree).pk}


def new_plan(tree: Tree) -> dict[str, Any]:
    return {
        "organization": str(tree.c1.pk),
        "title": "党纪学习教育实施方案",
        "source_document": "校党委〔2024〕5号",
        "starts_on": "2024-04-01",
        "ends_on": "2024-07-31",
    }


def new_task(tree: Tree) -> dict[str, Any]:
    data = task_data(tree.b1, deadline=date(2023, 6, 1).isoformat())
    return data | {
        "cooperating_units": [str(tree.b2.pk)],
        "milestone_due": "",
        "milestone_text": "",
    }


def report_data(tree: Tree) -> dict[str, Any]:
    return {"text": "已组织两次专题学习", "progress": "40", "evidence": evidence()}
