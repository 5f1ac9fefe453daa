"""The results of a campaign as one sheet of figures, and as Excel and Word files.

The results page, the Excel file and the Word document all read the same `ResultSheet`,
built from the `Tally` rows of the count (counting.results). Only the anonymous comments are
read from the ballots (a tally keeps no text): their texts alone, shuffled, never a ballot id.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from docx.document import Document as DocumentType

from dangjian.appraisals import counting, rules
from dangjian.appraisals.choices import (
    DECISION_SCALE,
    CampaignKind,
    Phase,
    QuestionKind,
    Scale,
    option_label,
    options,
)
from dangjian.appraisals.models import Ballot, Campaign, Question, Subject, Tally
from dangjian.core import rules as core_rules
from dangjian.core.docx import as_bytes, chinese_date, grid, heading, new_document, pairs
from dangjian.core.docx import paragraph as add_paragraph
from dangjian.core.docx import title as add_title
from dangjian.core.io.export import ExportColumn

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"
_shuffle = random.SystemRandom().shuffle


def ungraded_label() -> str:
    return gettext("不评定等次")


@dataclass(frozen=True)
class GradeCell:
    """One option of a grade question: votes and percent of the answers (two decimals)."""

    code: str
    label: str
    count: int
    share: Decimal | None


@dataclass
class TableRow:
    """One subject's (or the campaign's) result on one question."""

    subject: Subject | None
    cells: list[GradeCell]
    answered: int
    mean: Decimal | None


@dataclass
class QuestionTable:
    """A grade or score question with a row per subject (or one row if asked once)."""

    question: Question
    labels: list[str]
    rows: list[TableRow]

    @property
    def is_score(self) -> bool:
        return self.question.kind == QuestionKind.SCORE


@dataclass
class SubjectRow:
    """A subject's line of the result table and the files: the deciding question's votes."""

    subject: Subject
    cells: list[GradeCell]
    answered: int
    mean: Decimal | None
    proposed: str
    final: str


@dataclass(frozen=True)
class QuotaPanel:
    """优秀 ≤ 1/3 of graded (full) members: the numbers the branch decides with."""

    graded: int
    allowed: int
    quota: str
    proposed: int
    final: int | None

    @property
    def ok(self) -> bool:
        return self.proposed <= self.allowed and (self.final is None or self.final <= self.allowed)


@dataclass
class ResultSheet:
    campaign: Campaign
    scale: str
    ballots: int
    eligible: int
    turnout: Decimal | None
    overall: list[GradeCell]
    rows: list[SubjectRow]
    tables: list[QuestionTable]
    quota: QuotaPanel | None
    comments: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [str(label) for _code, label in options(self.scale)]

    @property
    def has_scores(self) -> bool:
        return any(row.mean is not None for row in self.rows)


def grade_label(campaign: Campaign, subject: Subject, code: str) -> str:
    """A subject's grade in words; probationary members are not graded."""
    if not subject.graded:
        return ungraded_label()
    return option_label(DECISION_SCALE[campaign.kind], code) if code else ""


def _cells(item: counting.ItemResult | None, scale: str) -> list[GradeCell]:
    counts = item.counts if item else {}
    answered = item.answered if item else 0
    return [
        GradeCell(
            code, str(label), counts.get(code, 0), counting.share(counts.get(code, 0), answered)
        )
        for code, label in options(scale)
    ]


def _row(item: counting.ItemResult) -> TableRow:
    cells = _cells(item, item.question.scale) if item.question.kind == QuestionKind.GRADE else []
    return TableRow(item.subject, cells, item.answered, item.mean)


def quota_panel(campaign: Campaign, subjects: list[Subject]) -> QuotaPanel | None:
    """The quota check of a member appraisal (None for other kinds)."""
    if campaign.kind != CampaignKind.MEMBER_APPRAISAL:
        return None
    top = options(Scale.APPRAISAL)[0][0]
    graded = [s for s in subjects if s.graded and s.person_id is not None]
    decided = campaign.phase in (Phase.DECIDED, Phase.PUBLISHED)
    return QuotaPanel(
        graded=len(graded),
        allowed=rules.quota(len(graded)),
        quota=str(core_rules.value(rules.EXCELLENT_QUOTA.code)),
        proposed=sum(1 for s in graded if s.proposed_grade == top),
        final=sum(1 for s in graded if s.final_grade == top) if decided else None,
    )


def comments(campaign: Campaign, subjects: list[Subject]) -> list[tuple[str, list[str]]]:
    """(subject name or 总体意见, comment texts in random order), from the ballots' comments.

    Each group is shuffled on its own, so neither the order of casting nor the comments of
    one ballot can be lined up; nothing about the ballots is kept but the texts.
    """
    question_ids = set(
        Tally.objects.filter(
            campaign=campaign, question__kind=QuestionKind.COMMENT, count__gt=0
        ).values_list("question_id", flat=True)
    )
    if not question_ids:
        return []
    names = {s.pk: s.name for s in subjects}
    groups: dict[int, list[str]] = {}
    rows = Ballot.objects.filter(campaign=campaign).values_list("answers", flat=True)
    for answers in rows.iterator(chunk_size=counting.CHUNK):
        for key, value in answers.items():
            subject_part, _colon, question_part = key.partition(":")
            if int(question_part) in question_ids and str(value).strip():
                groups.setdefault(int(subject_part), []).append(str(value).strip())
    result = []
    for subject_id in [*sorted(k for k in groups if k), 0]:
        texts = groups.get(subject_id)
        if texts:
            _shuffle(texts)
            result.append((names.get(subject_id, gettext("总体意见")), texts))
    return result


def result_sheet(campaign: Campaign, *, with_comments: bool = False) -> ResultSheet:
    """Everything a result page or file shows, from the count (only once counted)."""
    scale = DECISION_SCALE[campaign.kind]
    subjects = list(campaign.subjects.select_related("organization"))
    items = counting.results(campaign)
    deciding = counting.decision_question(campaign)
    by_subject: dict[int, list[counting.ItemResult]] = {}
    tables: dict[int, QuestionTable] = {}
    for item in items:
        question = item.question
        if question.kind == QuestionKind.COMMENT:
            continue
        if item.subject is not None:
            by_subject.setdefault(item.subject.pk, []).append(item)
        labels = [str(label) for _c, label in options(question.scale)]
        table = tables.setdefault(question.pk, QuestionTable(question, labels, []))
        table.rows.append(_row(item))
    rows = []
    for subject in subjects:
        own = by_subject.get(subject.pk, [])
        decision = next((i for i in own if deciding and i.question.pk == deciding.pk), None)
        score = next((i for i in own if i.question.kind == QuestionKind.SCORE), None)
        rows.append(
            SubjectRow(
                subject=subject,
                cells=_cells(decision, scale) if subject.graded else [],
                answered=decision.answered if decision else 0,
                mean=score.mean if score else None,
                proposed=grade_label(campaign, subject, subject.proposed_grade),
                final=grade_label(campaign, subject, subject.final_grade),
            )
        )
    overall = [
        GradeCell(code, option_label(scale, code), 0, share)
        for code, share in counting.overall_shares(campaign).items()
    ]
    ordered = sorted(tables.values(), key=lambda t: (t.question.position, t.question.pk))
    return ResultSheet(
        campaign=campaign,
        scale=scale,
        ballots=campaign.ballot_count,
        eligible=campaign.eligible_count,
        turnout=counting.share(campaign.ballot_count, campaign.eligible_count),
        overall=overall,
        rows=rows,
        tables=ordered,
        quota=quota_panel(campaign, subjects),
        comments=comments(campaign, subjects) if with_comments else [],
    )


# Excel ------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _cell_value(index: int, part: str) -> Callable[[SubjectRow], Any]:
    def value(row: SubjectRow) -> Any:
        if not row.cells:
            return None
        cell = row.cells[index]
        return cell.count if part == "count" else _number(cell.share)

    return value


def export_columns(sheet: ResultSheet) -> list[ExportColumn]:
    """One row per subject: who, votes and percent per grade, mean score, proposed, final."""
    columns = [
        ExportColumn(gettext("序号"), lambda row: row.subject.position, 6),
        ExportColumn(gettext("评议对象"), lambda row: row.subject.name, 14),
        ExportColumn(gettext("职务/类别"), lambda row: row.subject.post, 22),
        ExportColumn(
            gettext("所在党组织"),
            lambda row: row.subject.organization.name if row.subject.organization else "",
            26,
        ),
    ]
    for index, label in enumerate(sheet.labels):
        columns += [
            ExportColumn(
                gettext("%(grade)s（票）") % {"grade": label}, _cell_value(index, "count"), 10
            ),
            ExportColumn(
                gettext("%(grade)s（%%）") % {"grade": label}, _cell_value(index, "share"), 10
            ),
        ]
    columns.append(ExportColumn(gettext("有效票数"), lambda row: row.answered, 10))
    if sheet.has_scores:
        columns.append(ExportColumn(gettext("平均分"), lambda row: _number(row.mean), 10))
    columns += [
        ExportColumn(gettext("测评建议等次"), lambda row: row.proposed, 14),
        ExportColumn(gettext("评定等次"), lambda row: row.final, 12),
    ]
    return columns


def export_name(campaign: Campaign) -> str:
    """The file and sheet name, without the characters Excel refuses in a sheet name."""
    name = gettext("%(title)s测评结果") % {"title": campaign.title}
    for char in "[]:*?/\\":
        name = name.replace(char, "_")
    return name


# Word -------------------------------------------------------------------------------------


def document_title(campaign: Campaign) -> str:
    """XX年度民主评议党员结果"""
    return gettext("%(year)s年度%(kind)s结果") % {
        "year": campaign.year,
        "kind": campaign.get_kind_display(),
    }


def file_name(campaign: Campaign) -> str:
    return f"{document_title(campaign)}_{campaign.organization.name}.docx"


def _percent(value: Decimal | None) -> str:
    return f"{value}%" if value is not None else "—"


def _people(n: int) -> str:
    return gettext("%(n)d人") % {"n": n}


def facts(sheet: ResultSheet) -> list[tuple[str, str]]:
    campaign = sheet.campaign
    opens, closes = timezone.localtime(campaign.opens_at), timezone.localtime(campaign.closes_at)
    counted = timezone.localtime(campaign.counted_at).date() if campaign.counted_at else None
    return [
        (gettext("党组织"), campaign.organization.name),
        (gettext("评议类型"), campaign.get_kind_display()),
        (gettext("投票时间"), f"{opens:%Y-%m-%d %H:%M}—{closes:%Y-%m-%d %H:%M}"),
        (gettext("计票日期"), chinese_date(counted)),
        (gettext("应投票人数"), _people(sheet.eligible)),
        (gettext("有效票数"), gettext("%(n)d张") % {"n": sheet.ballots}),
        (gettext("参评率"), _percent(sheet.turnout)),
        (gettext("阶段"), campaign.get_phase_display()),
    ]


def quota_statement(panel: QuotaPanel) -> str:
    """参评正式党员6人，优秀等次不超过1/3即2人；测评建议优秀2人，评定优秀2人，符合规定。"""
    text = gettext(
        "参评正式党员%(graded)d人，优秀等次不超过%(quota)s，即最多%(allowed)d人；"
        "测评建议优秀%(proposed)d人"
    ) % {
        "graded": panel.graded,
        "quota": panel.quota,
        "allowed": panel.allowed,
        "proposed": panel.proposed,
    }
    if panel.final is not None:
        text += gettext("，评定优秀%(final)d人") % {"final": panel.final}
    verdict = gettext("符合比例规定。") if panel.ok else gettext("超出比例规定。")
    # Translators: a quota statement and its verdict, e.g. "…1人，符合比例规定".
    return gettext("%(text)s，%(verdict)s") % {"text": text, "verdict": verdict}


def _subject_lines(sheet: ResultSheet) -> tuple[list[str], list[list[str]]]:
    headers = [gettext("序号"), gettext("评议对象"), gettext("职务/类别")]
    headers += sheet.labels
    if sheet.has_scores:
        headers.append(gettext("平均分"))
    headers += [gettext("测评建议"), gettext("评定等次")]
    lines = []
    for number, row in enumerate(sheet.rows, start=1):
        if row.cells:
            votes = [f"{c.count}（{_percent(c.share)}）" for c in row.cells]
        else:
            votes = [ungraded_label()] + ["—"] * (len(sheet.labels) - 1)
        line = [str(number), row.subject.name, row.subject.post or "—", *votes]
        if sheet.has_scores:
            line.append(str(row.mean) if row.mean is not None else "—")
        line += [row.proposed or "—", row.final or "—"]
        lines.append(line)
    return headers, lines


def document(sheet: ResultSheet) -> DocumentType:
    """The result report: the facts, the table per subject, the overall shares, the quota."""
    campaign = sheet.campaign
    doc = new_document()
    add_title(doc, document_title(campaign), campaign.organization.name)
    sections = iter(NUMERALS)
    heading(doc, f"{next(sections)}、{gettext('基本情况')}")
    pairs(doc, facts(sheet))
    if sheet.rows:
        heading(doc, f"{next(sections)}、{gettext('测评结果')}")
        grid(doc, *_subject_lines(sheet))
    for table in sheet.tables:
        if table.rows and table.rows[0].subject is None and table.labels:
            heading(doc, f"{next(sections)}、{table.question.text}")
            row = table.rows[0]
            grid(doc, table.labels, [[f"{c.count}（{_percent(c.share)}）" for c in row.cells]])
    heading(doc, f"{next(sections)}、{gettext('总体评价')}")
    shares = "；".join(f"{cell.label} {_percent(cell.share)}" for cell in sheet.overall)
    add_paragraph(doc, gettext("各等次占全部评价的比例：%(shares)s。") % {"shares": shares})
    if sheet.quota is not None:
        add_paragraph(doc, quota_statement(sheet.quota))
    if campaign.decision_note:
        add_paragraph(doc, gettext("确定等次说明：%(note)s") % {"note": campaign.decision_note})
    return doc


def render_docx(sheet: ResultSheet) -> bytes:
    return as_bytes(document(sheet))
