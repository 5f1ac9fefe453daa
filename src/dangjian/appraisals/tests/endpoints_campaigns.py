"""The organizer's campaign pages in the permission matrix (campaigns from matrix_data).

Univ, committee (C1) and secretary (B1) run B1's campaigns. The member persona votes in them
but may not run them: 403 everywhere (no CHANGE grant). The outsider (committee staff of C2)
holds the grants but not over B1: 404 on a campaign, its own (empty) list and the add form
(where B1 is not offered: the form comes back with the error, 200).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.appraisals.tests import matrix_data as data
from dangjian.core.testing.matrix import Endpoint

RUNNERS = data.B1_STAFF | data.OUTSIDE


def new_campaign(tree: Any) -> dict[str, Any]:
    now = timezone.localtime()
    return {
        "organization": str(tree.b1.pk),
        "kind": "member_appraisal",
        "title": "文学院教工第一党支部民主评议党员",
        "year": str(now.year - 1),
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "subject_source": "members",
        "voter_source": "members",
        "code_count": "2",
    }


def changed(tree: Any) -> dict[str, Any]:
    return new_campaign(tree) | {"title": "民主评议党员（修改）"}


def _op(op: str) -> Any:
    return lambda tree: {"op": op}


def _staff(name: str, args: Any, method: str = "GET", **kw: Any) -> Endpoint:
    return Endpoint(name, ok=data.B1_STAFF, not_found=data.OUTSIDE, args=args, method=method, **kw)


ENDPOINTS = [
    Endpoint("appraisals:campaigns", ok=RUNNERS, note="the member runs no campaign: 403"),
    Endpoint("appraisals:campaign_add", ok=RUNNERS),
    Endpoint("appraisals:campaign_add", method="POST", ok=RUNNERS, data=new_campaign),
    _staff("appraisals:campaign", data.draft),
    _staff("appraisals:campaign", data.voting, note="live turnout"),
    _staff("appraisals:campaign", data.counted, note="link to the results"),
    _staff("appraisals:campaign", data.published),
    _staff("appraisals:campaign_edit", data.draft),
    _staff("appraisals:campaign_edit", data.draft, method="POST", data=changed),
    _staff("appraisals:campaign_phase", data.draft, method="POST", data=_op("self_report")),
    _staff("appraisals:campaign_phase", data.draft, method="POST", data=_op("open")),
    _staff("appraisals:campaign_phase", data.voting, method="POST", data=_op("close")),
    _staff("appraisals:campaign_phase", data.decided, method="POST", data=_op("publish")),
    _staff("appraisals:campaign_delete", data.draft, method="POST"),
    _staff("appraisals:turnout", data.voting),
    _staff("appraisals:turnout", data.counted),
]
