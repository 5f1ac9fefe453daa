"""The recruitment web views in the permission matrix (API operations: api_endpoints).

Cases are opened in B1 by the args lambdas. The member persona is not linked to any person,
so a B1 case does not exist for them (404) on pages that read one, and pages that change one
are refused for want of a grant (403). The outsider (committee staff of C2) holds every grant
but not over B1: 404. Reviews are decided by committee and university staff only: the branch
secretary gets 403 on the review page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.accounts.models import User
from dangjian.core.testing.matrix import Endpoint
from dangjian.recruitment import actions
from dangjian.recruitment.attachments import add_attachment
from dangjian.recruitment.testing import applicant, walk

VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
ADDERS = {"univ", "committee", "secretary", "outsider"}
B1_STAFF = {"univ", "committee", "secretary"}
REVIEWERS = {"univ", "committee"}
NOT_B1 = {"outsider"}
NOT_VISIBLE = {"member", "outsider"}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def case_at_step_two(tree: Any) -> dict[str, int]:
    """A case in B1 with steps 1–2 recorded (next: step 3, 确定入党积极分子)."""
    return {"pk": walk(applicant(tree.b1), through=2).pk}


def next_step(tree: Any) -> dict[str, int]:
    return {"pk": walk(applicant(tree.b1), through=2).pk, "number": 3}


def submitted(tree: Any) -> dict[str, int]:
    """Step 4 (报上级党委备案) recorded by the branch secretary: it waits for C1's review."""
    case = walk(applicant(tree.b1), through=3)
    secretary = User.objects.get(username="secretary")
    outcome = actions.record_step(case, 4, occurred_on=date(2023, 5, 6), acting_user=secretary)
    return {"record_pk": outcome.record.pk}


def attachment(tree: Any) -> dict[str, int]:
    case = walk(applicant(tree.b1), through=1)
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    return {"pk": add_attachment(case, 1, "入党申请书", upload, acting_user=None).pk}


def converted(tree: Any) -> dict[str, Any]:
    return {"pk": walk(applicant(tree.b1)).pk, "kind": "activist_register"}


def converted_case(tree: Any) -> dict[str, int]:
    return {"pk": walk(applicant(tree.b1)).pk}


def new_applicant(tree: Any) -> dict[str, Any]:
    person = applicant(tree.b1, name="赵申请")
    return {"person": person.pk, "applied_on": "2024-03-01", "received_by": "文学院教工第一党支部"}


def upload(tree: Any) -> dict[str, Any]:
    return {
        "step": "1",
        "title": "入党申请书",
        "file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    }


def _pair(name: str, ok: set[str], args: Any, data: Any, **kw: Any) -> list[Endpoint]:
    """GET (the form) and POST (the action) of one form page."""
    return [
        Endpoint(name, ok=ok, args=args, **kw),
        Endpoint(name, method="POST", ok=ok, args=args, data=data, **kw),
    ]


ENDPOINTS = [
    Endpoint("recruitment:list", ok=VIEWERS, note="the member's list holds only their own case"),
    Endpoint("recruitment:worklist", ok=VIEWERS),
    Endpoint("recruitment:detail", ok=B1_STAFF, not_found=NOT_VISIBLE, args=case_at_step_two),
    *_pair(
        "recruitment:open",
        ADDERS,
        lambda tree: {},
        new_applicant,
        note="a B1 applicant is not offered to the outsider: the form comes back (200)",
    ),
    *_pair(
        "recruitment:record_step",
        B1_STAFF,
        next_step,
        lambda tree: {
            "occurred_on": "2023-05-01",
            "source": "league",
            "decided_by": "branch_committee",
        },
        not_found=NOT_B1,
    ),
    *_pair(
        "recruitment:review",
        REVIEWERS,
        submitted,
        lambda tree: {"decision": "approved", "decided_on": "2023-06-01"},
        not_found=NOT_B1,
        note="the secretary sees the record but does not decide for C1: 403",
    ),
    *_pair(
        "recruitment:cancel",
        B1_STAFF,
        case_at_step_two,
        lambda tree: {"reason": "withdrawn", "on": "2024-01-01"},
        not_found=NOT_B1,
    ),
    *_pair("recruitment:attachment_add", B1_STAFF, case_at_step_two, upload, not_found=NOT_B1),
    Endpoint("recruitment:attachment", ok=B1_STAFF, not_found=NOT_VISIBLE, args=attachment),
    # Word forms and the dossier (views/documents.py): export permission.
    Endpoint("recruitment:document", ok=B1_STAFF, not_found=NOT_B1, args=converted),
    Endpoint("recruitment:dossier", ok=B1_STAFF, not_found=NOT_B1, args=converted_case),
]

# The legacy import (core import pages): IMPORT on Case; a result is its uploader's alone.
IMPORTERS = {"univ", "committee", "secretary", "outsider"}


def import_result(tree: Any) -> dict[str, str]:
    from dangjian.members.tests.endpoints_import import _univ_result
    from dangjian.recruitment.importers import CaseImport

    return _univ_result(CaseImport, "姓名,身份证号,申请日期\r\n张三,123,2023-01-01\r\n", "发展.csv")


def import_upload(tree: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "姓名,身份证号,申请日期\r\n张三,123,2023-01-01\r\n"
    return {"file": SimpleUploadedFile("发展.csv", text.encode("utf-8-sig")), "mode": "create"}


ENDPOINTS += [
    Endpoint("recruitment:import", ok=IMPORTERS),
    Endpoint("recruitment:import", method="POST", ok=IMPORTERS, data=import_upload),
    Endpoint("recruitment:import_template", ok=IMPORTERS),
    *(
        Endpoint(
            f"recruitment:{page}", ok={"univ"}, not_found=IMPORTERS - {"univ"}, args=import_result
        )
        for page in ("import_result", "import_error_file")
    ),
]
