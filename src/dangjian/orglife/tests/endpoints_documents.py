"""The statistics table (page and Excel) and the minutes download in the permission matrix.

Every persona with a grant on events sees the table of their own scope (the member: their
branch); the file needs EXPORT, which members lack (403). The minutes of a B1 event are for
whoever sees the event: the member persona is linked to no person, so for them, as for the
outsider (C2), the event does not exist (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.core.testing.matrix import Endpoint
from dangjian.orglife.choices import EventKind
from dangjian.orglife.testing import held

VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
EXPORTERS = VIEWERS - {"member"}
B1_STAFF = {"univ", "committee", "secretary"}


def b1_meeting(tree: Any) -> dict[str, int]:
    return {"pk": held(tree.b1, EventKind.GENERAL_ASSEMBLY, date(2025, 3, 5)).pk}


ENDPOINTS = [
    Endpoint("orglife:statistics", ok=VIEWERS, note="each persona's own top organization"),
    Endpoint(
        "orglife:statistics",
        ok=EXPORTERS,
        data=lambda tree: {"export": "xlsx", "year": "2025"},
        note="the Excel file needs EXPORT on events",
    ),
    Endpoint("orglife:minutes", ok=B1_STAFF, not_found={"member", "outsider"}, args=b1_meeting),
]
