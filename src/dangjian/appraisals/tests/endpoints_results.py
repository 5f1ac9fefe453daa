"""The result pages in the permission matrix.

Results, decision, recount and files are for B1's organizing staff: the member persona votes
in the campaign and sees it, but not its results (403); the outsider (C2 staff) does not see
it at all (404). The publicity of a published campaign is for staff and the campaign's voters
and subjects. The cross-campaign list is a staff list: each staff persona sees its own scope,
the member's own grant does not open it (403).
"""

from __future__ import annotations

from typing import Any

from dangjian.appraisals.models import Campaign
from dangjian.appraisals.tests.matrix_data import (
    B1_STAFF,
    OUTSIDE,
    WITH_MEMBER,
    counted,
    published,
)
from dangjian.core.testing.matrix import Endpoint
from dangjian.core.testing.personas import Tree

LIST_VIEWERS = B1_STAFF | {"outsider"}


def proposed_grades(tree: Tree) -> dict[str, Any]:
    """The decision form as posted: every graded subject keeps its proposed grade."""
    campaign = Campaign.objects.filter(organization=tree.b1).latest("pk")
    data: dict[str, Any] = {"note": "支部党员大会表决"}
    for subject in campaign.subjects.filter(graded=True):
        data[f"grade_{subject.pk}"] = subject.proposed_grade or "qualified"
    return data


ENDPOINTS = [
    Endpoint("appraisals:results", ok=B1_STAFF, not_found=OUTSIDE, args=counted),
    Endpoint(
        "appraisals:results",
        ok=B1_STAFF,
        not_found=OUTSIDE,
        args=published,
        note="a published campaign's results stay a staff page",
    ),
    Endpoint("appraisals:decide", ok=B1_STAFF, not_found=OUTSIDE, args=counted),
    Endpoint(
        "appraisals:decide",
        method="POST",
        ok=B1_STAFF,
        not_found=OUTSIDE,
        args=counted,
        data=proposed_grades,
    ),
    Endpoint("appraisals:recount", method="POST", ok=B1_STAFF, not_found=OUTSIDE, args=counted),
    Endpoint(
        "appraisals:results_export",
        ok=B1_STAFF,
        not_found=OUTSIDE,
        args=counted,
        data=lambda tree: {"format": "xlsx"},
    ),
    Endpoint(
        "appraisals:results_export",
        ok=B1_STAFF,
        not_found=OUTSIDE,
        args=counted,
        data=lambda tree: {"format": "docx"},
        note="the Word report",
    ),
    Endpoint("appraisals:publicity", ok=WITH_MEMBER, not_found=OUTSIDE, args=published),
    Endpoint("appraisals:appraised", ok=LIST_VIEWERS, note="the member's grant is not staff"),
    Endpoint(
        "appraisals:appraised",
        ok=LIST_VIEWERS,
        data=lambda tree: {"export": "xlsx"},
        note="the Excel file of the list",
    ),
]
