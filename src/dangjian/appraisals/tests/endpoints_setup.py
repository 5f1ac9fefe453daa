"""The setup pages in the permission matrix: subjects, voters, questionnaire, codes, slips.

As on the campaign pages: B1 staff may, the member is refused (403), the outsider does not
see B1's campaigns (404). Setup changes on a campaign already voting are refused by the
actions with a message (still a page, not an error), so both phases are requested.
"""

from __future__ import annotations

from typing import Any

from dangjian.appraisals.models import Campaign
from dangjian.appraisals.tests import matrix_data as data
from dangjian.core.testing.matrix import Endpoint


def _first(related: str, key: str, fixture: Any = data.draft) -> Any:
    def args(tree: Any) -> dict[str, Any]:
        pk = fixture(tree)["pk"]
        row = getattr(Campaign.objects.get(pk=pk), related).order_by("pk").first()
        return {"pk": pk, key: row.pk}

    return args


def _staff(name: str, args: Any, method: str = "GET", **kw: Any) -> Endpoint:
    return Endpoint(name, ok=data.B1_STAFF, not_found=data.OUTSIDE, args=args, method=method, **kw)


def _post(name: str, args: Any, body: dict[str, Any] | None = None) -> Endpoint:
    return _staff(name, args, method="POST", data=lambda tree: dict(body or {}))


QUESTION = {"kind": "grade", "text": "遵守党的纪律", "scale": "appraisal", "per_subject": "on"}

ENDPOINTS = [
    _staff("appraisals:subjects", data.draft),
    _staff("appraisals:subjects", data.voting),
    _post("appraisals:subjects", data.draft, {"op": "source", "source": "members"}),
    _post("appraisals:subject_remove", _first("subjects", "subject")),
    _post("appraisals:subject_remove", _first("subjects", "subject", data.voting)),
    _staff("appraisals:voters", data.draft),
    _staff("appraisals:voters", data.counted),
    _post("appraisals:voters", data.draft, {"op": "source", "source": "committee"}),
    _post("appraisals:voter_remove", _first("voters", "voter")),
    _staff("appraisals:questions", data.draft),
    _post("appraisals:questions", data.draft, QUESTION),
    _staff("appraisals:question_edit", _first("questions", "question")),
    _post("appraisals:question_edit", _first("questions", "question"), QUESTION),
    _post("appraisals:question_delete", _first("questions", "question")),
    _staff("appraisals:codes", data.draft),
    _post("appraisals:codes", data.draft, {"count": "3"}),
    _staff("appraisals:slips", data.draft),
    _staff("appraisals:slips", data.counted, note="voting over: back to the codes page"),
]
