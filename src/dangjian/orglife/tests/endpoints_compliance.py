"""The compliance pages in the permission matrix.

The overview is a staff dashboard: the member's own grant does not open it (403), and the
three administrators and an account without a role hold no grant on events (403). The outsider
(C2 staff) sees their own subtree. A branch's calendar is read through the branch: the member
sees their own branch B1, the outsider does not see it (404).
"""

from __future__ import annotations

from dangjian.core.testing.matrix import Endpoint

OVERVIEW = {"univ", "committee", "secretary", "outsider"}
B1_VIEWERS = {"univ", "committee", "secretary", "member"}

ENDPOINTS = [
    Endpoint("orglife:compliance", ok=OVERVIEW, note="the member's grant is not staff: 403"),
    Endpoint(
        "orglife:branch_compliance",
        ok=B1_VIEWERS,
        not_found={"outsider"},
        args=lambda tree: {"pk": tree.b1.pk},
    ),
]
