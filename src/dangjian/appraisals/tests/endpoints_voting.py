"""The voting pages in the permission matrix.

The ballot is the voter's: B1's staff see the campaign but are not on its voter list (403);
the member persona votes; the outsider (C2) does not see B1's campaigns (404); the separated
administrators and accounts without a role hold no grant (403). `mine` is authorized by the
account's link to a person: accounts without one get the friendly 403 page. The self-report
is the subject's own, or staff's with CHANGE. `code` and `code_vote` are public (PUBLIC_URLS).
"""

from __future__ import annotations

from typing import Any

from dangjian.appraisals.models import Campaign, Subject
from dangjian.appraisals.testing import uniform_answers
from dangjian.appraisals.tests.matrix_data import (
    B1_STAFF,
    OUTSIDE,
    WITH_MEMBER,
    draft,
    voting,
)
from dangjian.core.testing.matrix import Endpoint

VOTER = {"member"}


def _mine(tree: Any) -> dict[str, Any]:
    voting(tree)
    return {}


def _answers(tree: Any) -> dict[str, Any]:
    """A full ballot of the campaign the URL was made for (the newest one)."""
    return uniform_answers(Campaign.objects.latest("pk"), "qualified")


def _receipt(tree: Any) -> dict[str, str]:
    return {"receipt": "ABCD-EFGH-JKMN"}


def _own_subject(tree: Any) -> dict[str, Any]:
    """The member persona's own subject in a draft campaign (reports are due)."""
    pk = draft(tree)["pk"]
    return {"subject": Subject.objects.get(campaign_id=pk, person__user__username="member").pk}


def _other_subject(tree: Any) -> dict[str, Any]:
    """Another member's subject: the member persona does not see it."""
    pk = draft(tree)["pk"]
    other = Subject.objects.filter(campaign_id=pk).exclude(person__user__username="member")
    return {"subject": other.first().pk}  # type: ignore[union-attr]


def _report(tree: Any) -> dict[str, str]:
    return {"report": "本年度认真履行党员义务。", "self_grade": "qualified"}


def _staff_report(tree: Any) -> dict[str, str]:
    return {"report": "代为录入的自评材料。"}


ENDPOINTS = [
    Endpoint("appraisals:mine", ok=VOTER, args=_mine, note="others: no person linked (403)"),
    Endpoint("appraisals:vote", ok=VOTER, not_found=OUTSIDE, args=voting),
    Endpoint(
        "appraisals:vote",
        method="POST",
        ok=VOTER,
        not_found=OUTSIDE,
        args=voting,
        data=_answers,
        note="the member casts the ballot and gets the receipt page",
    ),
    Endpoint("appraisals:vote", ok=VOTER, not_found=OUTSIDE, args=draft, note="not yet open"),
    Endpoint("appraisals:voted", ok=VOTER, not_found=OUTSIDE, args=voting),
    Endpoint("appraisals:verify", ok=WITH_MEMBER, not_found=OUTSIDE, args=voting),
    Endpoint(
        "appraisals:verify",
        method="POST",
        ok=WITH_MEMBER,
        not_found=OUTSIDE,
        args=voting,
        data=_receipt,
    ),
    Endpoint("appraisals:report", ok=WITH_MEMBER, not_found=OUTSIDE, args=_own_subject),
    Endpoint(
        "appraisals:report",
        method="POST",
        ok=WITH_MEMBER,
        not_found=OUTSIDE,
        args=_own_subject,
        data=_report,
    ),
    Endpoint(
        "appraisals:report",
        ok=B1_STAFF,
        not_found=OUTSIDE | VOTER,
        args=_other_subject,
        note="another member's report: not in the member's scope",
    ),
    Endpoint(
        "appraisals:report",
        method="POST",
        ok=B1_STAFF,
        not_found=OUTSIDE | VOTER,
        args=_other_subject,
        data=_staff_report,
    ),
]
