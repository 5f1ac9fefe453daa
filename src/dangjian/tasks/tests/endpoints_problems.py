"""The problem pages in the permission matrix: list, form, page, each step, files, ledger.

Problems are listed by C1 for B1 (tests/matrix_problems). Who may see one succeeds; whose
grant does not reach it gets 404 (the outsider); who holds no grant on problems gets 403.
A step refused by the action (the secretary of the unit verifying) comes back as the form
with the message (200), still "ok" here; the views' tests check the refusals themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dangjian.core.testing.matrix import Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.tasks.models import Problem
from dangjian.tasks.tests.matrix_problems import (
    OUTSIDE,
    SEES,
    STAFF,
    closed,
    listed,
    new_problem,
    pdf,
    rectifying,
    stored_file,
    submitted,
)


def _pk(make: Callable[[Tree], Any]) -> Callable[[Tree], dict[str, int]]:
    return lambda tree: {"pk": make(tree).pk}


def _pair(name: str, make: Callable[[Tree], Problem], data: Any) -> list[Endpoint]:
    """GET (the form) and POST (the step) of one step's page."""
    return [
        Endpoint(name, ok=SEES, args=_pk(make), not_found=OUTSIDE),
        Endpoint(name, method="POST", ok=SEES, args=_pk(make), data=data, not_found=OUTSIDE),
    ]


ENDPOINTS = [
    Endpoint("tasks:problems", ok=STAFF, note="the outsider's list holds only C2's problems"),
    Endpoint("tasks:problems_ledger", ok=STAFF, note="rows in the export scope only"),
    Endpoint("tasks:problem_add", ok=STAFF),
    Endpoint(
        "tasks:problem_add",
        method="POST",
        ok=STAFF,
        data=new_problem,
        note="the outsider is not offered C1: the form comes back with the error",
    ),
    Endpoint("tasks:problem", ok=SEES, not_found=OUTSIDE, args=_pk(listed)),
    *_pair(
        "tasks:problem_ledger",
        listed,
        lambda tree: {
            "measures": "制定整改方案",
            "responsible": "李书记",
            "deadline": "2099-12-31",
        },
    ),
    *_pair("tasks:problem_progress", rectifying, lambda tree: {"note": "已召开专题会议"}),
    *_pair(
        "tasks:problem_submit",
        rectifying,
        lambda tree: {"note": "整改完成", "files": [pdf()]},
    ),
    Endpoint(
        "tasks:problem_verify",
        method="POST",
        ok=SEES,
        args=_pk(submitted),
        data=lambda tree: {"decision": "accept", "note": "核验属实"},
        not_found=OUTSIDE,
    ),
    Endpoint(
        "tasks:problem_reopen",
        method="POST",
        ok=SEES,
        args=_pk(closed),
        data=lambda tree: {"reason": "回访发现问题反弹"},
        not_found=OUTSIDE,
    ),
    Endpoint("tasks:problem_delete", ok=SEES, args=_pk(listed), not_found=OUTSIDE),
    Endpoint(
        "tasks:problem_delete",
        method="POST",
        ok=SEES,
        args=_pk(listed),
        not_found=OUTSIDE,
        note="the secretary of the unit holds DELETE but not over the issuer: refused on the page",
    ),
    Endpoint("tasks:problem_file", ok=SEES, not_found=OUTSIDE, args=_pk(stored_file)),
]
