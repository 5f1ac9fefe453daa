"""The plan and task pages in the permission matrix (the records come from matrix_plans).

Issuer pages (plan form, issue, close, delete, task form, check) are for univ and committee;
the secretary leads the task (task page, report, milestone, file, the plan seen through its
task) and gets 403 where it sees the record but may not act, 404 on drafts it cannot see.
The outsider (C2) gets 404; the member (no grant on plans) 403; lists open to all staff.
"""

from __future__ import annotations

from typing import Any

from dangjian.core.testing.matrix import Endpoint
from dangjian.tasks.tests import matrix_plans as data

STAFF = data.LEAD | data.OUTSIDE


def _pk(make: Any, name: str = "pk") -> Any:
    return lambda tree: {name: make(tree).pk}


def _milestone(tree: Any) -> dict[str, int]:
    return {"milestone": data.lead_task(tree).milestones.get().pk}


def _file(tree: Any) -> dict[str, int]:
    return {"file": data.claim(tree).files.get().pk}


def _split(tree: Any) -> dict[str, Any]:
    return {"units": [str(tree.b1.pk), str(tree.b2.pk)], f"deadline_{tree.b1.pk}": "2023-06-01"}


def _issuer(name: str, args: Any, method: str = "GET", **kw: Any) -> Endpoint:
    """A page of the issuer: the secretary sees the issued plan's task (403)."""
    return Endpoint(name, ok=data.ISSUER, not_found=data.OUTSIDE, args=args, method=method, **kw)


def _draft(name: str, args: Any, method: str = "GET", **kw: Any) -> Endpoint:
    """A page of a draft plan: the lead unit does not see drafts (404)."""
    return Endpoint(name, ok=data.ISSUER, not_found=data.HIDDEN, args=args, method=method, **kw)


def _lead(name: str, args: Any, method: str = "GET", **kw: Any) -> Endpoint:
    return Endpoint(name, ok=data.LEAD, not_found=data.OUTSIDE, args=args, method=method, **kw)


DRAFT = _pk(data.draft_plan)
ISSUED = _pk(data.issued_plan)
TASK = _pk(data.lead_task)

ENDPOINTS = [
    Endpoint("tasks:plans", ok=STAFF, note="the member holds no grant on plans: 403"),
    Endpoint("tasks:plan_add", ok=STAFF),
    Endpoint(
        "tasks:plan_add",
        method="POST",
        ok=STAFF,
        data=data.new_plan,
        note="C1 not offered to the secretary or outsider: the form with the error (200)",
    ),
    _lead("tasks:plan", ISSUED, note="the secretary sees it through its task"),
    _draft("tasks:plan", DRAFT),
    _lead("tasks:plan_board", ISSUED),
    _draft("tasks:plan_edit", DRAFT),
    _draft("tasks:plan_edit", DRAFT, "POST", data=data.new_plan),
    _issuer("tasks:plan_edit", ISSUED),
    _draft("tasks:plan_issue", DRAFT, "POST", data=lambda tree: {}),
    _issuer("tasks:plan_close", _pk(data.all_accepted), "POST", data=lambda tree: {}),
    _draft("tasks:plan_delete", DRAFT),
    _draft("tasks:plan_delete", DRAFT, "POST", data=lambda tree: {}),
    _draft("tasks:task_add", _pk(data.draft_plan, "plan")),
    _draft("tasks:task_add", _pk(data.draft_plan, "plan"), "POST", data=data.new_task),
    _issuer("tasks:task_add", _pk(data.issued_plan, "plan")),
    _lead("tasks:task", TASK),
    _issuer("tasks:task_edit", TASK),
    _issuer("tasks:task_edit", TASK, "POST", data=data.new_task),
    _issuer("tasks:task_delete", TASK),
    _issuer("tasks:task_delete", TASK, "POST", data=lambda tree: {}),
    _lead("tasks:task_report", TASK, note="GET goes to the form on the task's page"),
    _lead("tasks:task_report", TASK, "POST", data=data.report_data),
    _issuer(
        "tasks:report_check",
        _pk(data.claim, "report"),
        "POST",
        data=lambda tree: {"op": "accept"},
    ),
    _issuer(
        "tasks:report_check",
        _pk(data.claim, "report"),
        "POST",
        data=lambda tree: {"op": "return", "reason": "佐证材料不全"},
    ),
    _lead("tasks:milestone_reach", _milestone, "POST", data=lambda tree: {}),
    _lead("tasks:report_file", _file),
    Endpoint(
        "tasks:task_split",
        ok=data.ISSUER,
        not_found=data.HIDDEN,
        args=_pk(data.splittable),
        note="C1 leads the university's task; B1 sees it not",
    ),
    Endpoint(
        "tasks:task_split",
        method="POST",
        ok=data.ISSUER,
        not_found=data.HIDDEN,
        args=_pk(data.splittable),
        data=_split,
    ),
    Endpoint("tasks:tasks", ok=STAFF),
    Endpoint("tasks:tasks", ok=STAFF, data=lambda tree: {"overdue": "1", "top": "1"}),
    Endpoint("tasks:my_tasks", ok=STAFF),
]
