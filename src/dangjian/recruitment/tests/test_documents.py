"""Word forms and dossier of a case: the values recorded, （未登记） for the rest, the ID number
only masked, export permission and audit."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from docx import Document

from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.recruitment import actions, documents, documents_dossier
from dangjian.recruitment.models import Attachment, Case
from dangjian.recruitment.testing import applicant, helpers_for, walk

MISSING = "（未登记）"


def text_of(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, as one string."""
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def raw_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


@pytest.fixture
def converted(tree: Tree) -> Case:
    return walk(applicant(tree.b1, name="林小雨"), helpers=helpers_for(tree.b1))


def test_activist_register_shows_the_cultivation(converted: Case) -> None:
    content = documents.render(converted, "activist_register")
    text = text_of(content)
    assert "入党积极分子培养考察登记表" in text
    assert "林小雨" in text and "文学院教工第一党支部" in text
    assert "2023年3月1日" in text  # application
    assert "2023年5月1日" in text  # activist
    assert "团组织推优" in text and "支部委员会" in text
    assert "谈话人" in text and "联系人甲" in text
    assert "表现良好" in text and "思想汇报合计：2份" in text
    assert MISSING in text  # e.g. the notice of the activist step was not recorded


def test_pre_review_request_lists_the_candidate(converted: Case) -> None:
    text = text_of(documents.render(converted, "pre_review_request"))
    assert "关于林小雨同志入党的预审请示" in text
    assert "文学院党委：" in text
    assert "介绍人甲、介绍人乙" in text
    assert "合格" in text
    assert "发展对象培训班" in text and "24" in text
    assert "2024年5月16日" in text  # candidate on
    # The certificate number was not recorded: it is not invented.
    cells = Document(io.BytesIO(documents.render(converted, "pre_review_request"))).tables
    training = [c.text for row in cells[3].rows for c in row.cells]
    assert training[training.index("结业证书编号") + 1] == MISSING


def test_conversion_summary_has_votes_and_outcome(converted: Case) -> None:
    text = text_of(documents.render(converted, "conversion_summary"))
    voters = str(converted.records.get(step=15).data["votes_for"])
    assert "预备党员转正情况汇总" in text
    assert voters in text
    assert "按期转正" in text and "文学院党委" in text
    assert "2024年7月5日至2025年7月5日" in text
    assert "已转正" in text


def test_a_young_case_shows_missing_values(tree: Tree) -> None:
    case = walk(applicant(tree.b1, name="赵未满"), through=7)
    text = text_of(documents.render(case, "pre_review_request"))
    assert "赵未满" in text
    assert text.count(MISSING) >= 10  # introducers, review, training, notice…
    summary = text_of(documents.render(case, "conversion_summary"))
    assert "预备期" in summary and MISSING in summary


def test_dossier_of_a_cancelled_case(tree: Tree, personas: Any) -> None:
    case = walk(applicant(tree.b1, name="钱撤回"), through=3)
    actions.cancel_case(
        case, reason="withdrawn", on=date(2023, 6, 1), acting_user=personas["secretary"]
    )
    case.refresh_from_db()
    text = text_of(documents_dossier.dossier_document(case))
    assert "已终止" in text and "本人撤回申请" in text and "2023年6月1日" in text
    assert "未办理" in text  # the steps never reached are listed, not invented


def test_no_plain_id_number_anywhere(converted: Case) -> None:
    person: Any = converted.person
    plain = person.reveal_id_number()
    for kind in documents.KINDS:
        xml = raw_xml(documents.render(converted, kind))
        assert plain not in xml
        assert person.id_masked in xml
    assert plain not in raw_xml(documents_dossier.dossier_document(converted))


def test_dossier_lists_steps_and_is_docx_without_scans(converted: Case) -> None:
    result = documents_dossier.build(converted)
    assert result.ext == "docx"
    text = text_of(result.content)
    assert "发展党员全程纪实档案" in text
    assert "支部大会讨论转正" in text and "材料归档" in text
    assert "（无附件）" in text


def test_dossier_with_scans_is_a_zip(converted: Case) -> None:
    Attachment.objects.create(
        case=converted, step=1, title="入党申请书", size=5,
        file=ContentFile(b"scan1", name="apply.pdf"),
    )  # fmt: skip
    result = documents_dossier.build(converted)
    assert result.ext == "zip"
    with zipfile.ZipFile(io.BytesIO(result.content)) as archive:
        names = archive.namelist()
        assert "发展党员档案.docx" in names
        scan = next(n for n in names if n.startswith("附件/"))
        assert archive.read(scan) == b"scan1"
        assert "入党申请书" in text_of(archive.read("发展党员档案.docx"))


def test_secretary_downloads_with_audit(converted: Case, login: Any) -> None:
    client = login("secretary")
    response = client.get(
        reverse("recruitment:document", args=[converted.pk, "conversion_summary"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    disposition = unquote(response["Content-Disposition"])
    assert "林小雨_预备党员转正情况汇总_" in disposition
    assert "林小雨" in text_of(response.content)
    event = AuditEvent.objects.filter(action="security.export").latest("seq")
    assert event.object_id == str(converted.pk)
    assert event.detail["document"] == "conversion_summary"
    dossier = client.get(reverse("recruitment:dossier", args=[converted.pk]))
    assert dossier.status_code == 200
    assert "发展党员档案" in unquote(dossier["Content-Disposition"])


def test_unknown_kind_is_404(converted: Case, login: Any) -> None:
    response = login("secretary").get(
        reverse("recruitment:document", args=[converted.pk, "nothing"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("committee", 200), ("outsider", 404), ("member", 403), ("norole", 403)]
)
def test_who_may_download(converted: Case, login: Any, persona: str, status: int) -> None:
    client = login(persona)
    assert client.get(reverse("recruitment:dossier", args=[converted.pk])).status_code == status
    url = reverse("recruitment:document", args=[converted.pk, "activist_register"])
    assert client.get(url).status_code == status
