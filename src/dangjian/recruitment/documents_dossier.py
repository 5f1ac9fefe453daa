"""A case's whole dossier (发展党员全程纪实): one .docx with a cover, the 25 steps, the reviews
and the list of scans; a .zip of that document and the scans themselves when there are any."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.translation import gettext
from docx.document import Document as DocumentType
from docx.enum.text import WD_BREAK

from dangjian.core.docx import (
    as_bytes,
    chinese_date,
    grid,
    heading,
    new_document,
    pairs,
    paragraph,
    title,
)
from dangjian.recruitment.documents import DOCX_TYPE
from dangjian.recruitment.documents_facts import CaseFacts, load
from dangjian.recruitment.models import Attachment, Case, Review
from dangjian.recruitment.steps import STEPS

ZIP_TYPE = "application/zip"
UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class Dossier:
    """The file to send: its content, extension and media type."""

    content: bytes
    ext: str
    content_type: str


def _cover(doc: DocumentType, facts: CaseFacts) -> None:
    case = facts.case
    title(doc, gettext("发展党员全程纪实档案"), facts.person.name)
    rows = [
        (gettext("姓名"), facts.person.name),
        (gettext("身份证号"), facts.person.id_masked),
        (gettext("培养党支部"), case.organization.name),
        (gettext("状态"), case.get_status_display()),
        (gettext("所处阶段"), case.get_stage_display()),
        (gettext("申请入党日期"), chinese_date(case.applied_on)),
        (gettext("确定积极分子日期"), chinese_date(case.activist_on)),
        (gettext("确定发展对象日期"), chinese_date(case.candidate_on)),
        (gettext("支部大会通过日期"), chinese_date(case.voted_on)),
        (gettext("上级党委审批日期"), chinese_date(case.admitted_on)),
        (gettext("预备期满日期"), chinese_date(case.probation_ends_on)),
        (gettext("转正日期"), chinese_date(case.converted_on)),
    ]
    if case.closed_on:
        rows.append((gettext("结束日期"), chinese_date(case.closed_on)))
    if case.close_reason:
        rows.append((gettext("结束原因"), case.close_reason))
    rows.append((gettext("导出日期"), chinese_date(timezone.localdate())))
    pairs(doc, rows, per_row=1)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _steps(doc: DocumentType, facts: CaseFacts) -> None:
    heading(doc, gettext("一、发展步骤"))
    rows: list[list[str]] = []
    for spec in STEPS:
        records = facts.all(spec.number)
        if not records:
            rows.append([str(spec.number), str(spec.label), str(spec.stage_label), "",
                         gettext("未办理"), "—"])  # fmt: skip
        for record in records:
            rows.append([
                str(spec.number),
                str(spec.label),
                str(spec.stage_label),
                chinese_date(record.occurred_on),
                record.get_state_display(),
                facts.summary(record) or "—",
            ])  # fmt: skip
    headers = [gettext("步骤"), gettext("名称"), gettext("阶段"), gettext("日期"),
               gettext("状态"), gettext("主要内容")]  # fmt: skip
    grid(doc, headers, rows)


def _reviews(doc: DocumentType, facts: CaseFacts) -> None:
    heading(doc, gettext("二、审核记录"))
    reviews = (
        Review.objects.filter(record__case=facts.case)
        .select_related("record", "organization")
        .order_by("decided_on", "id")
    )
    rows = [
        [
            str(r.record),  # 13. 上级党委预审
            r.get_level_display(),
            r.organization.name,
            r.get_decision_display(),
            r.reason or "—",
            chinese_date(r.decided_on),
        ]
        for r in reviews
    ]
    if not rows:
        paragraph(doc, gettext("（无审核记录）"), indent=False)
        return
    headers = [gettext("步骤"), gettext("审核层级"), gettext("审核党组织"),
               gettext("审核结果"), gettext("意见"), gettext("审核日期")]  # fmt: skip
    grid(doc, headers, rows)


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _attachments(doc: DocumentType, attachments: list[Attachment]) -> None:
    heading(doc, gettext("三、附件材料"))
    if not attachments:
        paragraph(doc, gettext("（无附件）"), indent=False)
        return
    rows = [
        [str(a.step), a.title, PurePosixPath(a.file.name or "").name, _size(a.size),
         chinese_date(timezone.localdate(a.uploaded_at))]
        for a in attachments
    ]  # fmt: skip
    headers = [gettext("步骤"), gettext("材料名称"), gettext("文件名"), gettext("大小"),
               gettext("上传日期")]  # fmt: skip
    grid(doc, headers, rows)


def dossier_document(case: Case) -> bytes:
    """The dossier as one .docx."""
    facts = load(case)
    doc = new_document()
    _cover(doc, facts)
    _steps(doc, facts)
    _reviews(doc, facts)
    _attachments(doc, list(case.attachments.order_by("step", "id")))
    return as_bytes(doc)


def _entry_name(index: int, attachment: Attachment) -> str:
    """附件/06_01_思想汇报_scan.pdf: step and order first, so the files sort as the steps."""
    base = PurePosixPath(attachment.file.name or "").name
    label = UNSAFE.sub("_", attachment.title).strip("_") or gettext("附件")
    return f"{gettext('附件')}/{attachment.step:02d}_{index:02d}_{label}_{base}"


def build(case: Case) -> Dossier:
    """The .docx alone, or a .zip of it and the scans when the case has any. A scan missing
    from storage is named in a list inside the zip rather than failing the export."""
    document = dossier_document(case)
    attachments = list(case.attachments.order_by("step", "id"))
    if not attachments:
        return Dossier(document, "docx", DOCX_TYPE)
    buffer = io.BytesIO()
    lost: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{gettext('发展党员档案')}.docx", document)
        for index, attachment in enumerate(attachments, start=1):
            try:
                with attachment.file.open("rb") as handle:
                    archive.writestr(_entry_name(index, attachment), handle.read())
            except (OSError, ValueError):
                lost.append(f"{attachment.step}\t{attachment.title}\t{attachment.file.name}")
        if lost:
            text = gettext("以下附件文件未找到：") + "\n" + "\n".join(lost) + "\n"
            archive.writestr(f"{gettext('缺失附件')}.txt", text.encode("utf-8"))
    return Dossier(buffer.getvalue(), "zip", ZIP_TYPE)
