"""Problems for the permission matrix (web and API), one per step of the loop.

Each problem is listed by C1 (文学院党委) for B1 (文学院教工第一党支部): univ and committee
cover the issuer, the secretary of B1 covers the responsible unit, so all three see it; the
outsider (committee staff of C2) does not (404); the member, the administrators and the
account without a grant hold no grant on problems (403).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import Problem, ProblemFile
from dangjian.tasks.testing import PDF, evidence, make_problem

SEES = frozenset({"univ", "committee", "secretary"})
STAFF = SEES | {"outsider"}
OUTSIDE = frozenset({"outsider"})
LEDGER = {"measures": "每月开展一次主题党日，丰富活动形式", "responsible": "李书记"}


def listed(tree: Tree) -> Problem:
    return make_problem(tree.c1, tree.b1, description="支部主题党日形式单一，吸引力不强")


def rectifying(tree: Tree) -> Problem:
    problem = listed(tree)
    actions.open_ledger(
        problem, LEDGER | {"deadline": problem.listed_on + timedelta(days=30)}, acting_user=None
    )
    return problem


def submitted(tree: Tree) -> Problem:
    problem = rectifying(tree)
    actions.submit_closure(problem, "已整改到位", [evidence()], acting_user=None)
    return problem


def closed(tree: Tree) -> Problem:
    problem = submitted(tree)
    actions.verify(problem, True, "核验属实，同意销号", acting_user=None)
    return problem


def stored_file(tree: Tree) -> ProblemFile:
    found = ProblemFile.objects.filter(problem=submitted(tree)).first()
    assert found is not None
    return found


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def new_problem(tree: Tree) -> dict[str, Any]:
    """Form data listing a problem of C1 for B1."""
    return {
        "issuer": str(tree.c1.pk),
        "unit": str(tree.b1.pk),
        "year": "2024",
        "source": "self_review",
        "category": "conduct",
        "description": "党员教育管理不够严格",
    }
