"""The monthly summary pages in the permission matrix.

Summaries are B1's. The member persona holds no grant on summaries at all (403); the outsider
(committee staff of C2) holds every grant but not over B1 (404). Reviews are decided by the
committee above (C1) and the university: the branch secretary sees the summary but gets 403.
"""

from __future__ import annotations

from typing import Any

from dangjian.core.testing.matrix import Endpoint
from dangjian.orglife import summaries

B1_STAFF = {"univ", "committee", "secretary"}
REVIEWERS = {"univ", "committee"}
NOT_B1 = {"outsider"}
MONTH = "2025-01"


def submitted(tree: Any) -> dict[str, int]:
    """B1's summary of January 2025, submitted: it waits for C1's review."""
    summary = summaries.submit_summary(
        tree.b1, MONTH, "一月份开展主题党日一次。", submit=True, acting_user=None
    )
    return {"pk": summary.pk}


def month_of_b1(tree: Any) -> dict[str, Any]:
    return {"organization": tree.b1.pk, "month": MONTH}


ENDPOINTS = [
    Endpoint(
        "orglife:summaries",
        ok=B1_STAFF | NOT_B1,
        note="the member holds no grant on summaries: 403; the outsider's list has C2's only",
    ),
    Endpoint("orglife:summary", ok=B1_STAFF, not_found=NOT_B1, args=submitted),
    Endpoint("orglife:summary_edit", ok=B1_STAFF, not_found=NOT_B1, data=month_of_b1),
    Endpoint(
        "orglife:summary_edit",
        method="POST",
        ok=B1_STAFF,
        not_found=NOT_B1,
        data=lambda tree: {**month_of_b1(tree), "text": "本月按计划开展组织生活。", "submit": "1"},
    ),
    Endpoint(
        "orglife:summary_review",
        ok=REVIEWERS,
        not_found=NOT_B1,
        args=submitted,
        note="the secretary sees the summary but does not decide for C1: 403",
    ),
    Endpoint(
        "orglife:summary_review",
        method="POST",
        ok=REVIEWERS,
        not_found=NOT_B1,
        args=submitted,
        data=lambda tree: {"decision": "return", "reason": "请补充党课情况。"},
    ),
]
