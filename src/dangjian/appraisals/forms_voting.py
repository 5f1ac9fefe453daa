"""What the voting pages read and show: the ballot laid out as cards, answers from a POST, and
the small forms (self-report, receipt, code).

The ballot is not a Django form: its fields are the questionnaire's (subject, question) items,
validated by `questionnaire.clean_answers` inside the casting action, so the page only lays
them out and reads back the raw values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.choices import DECISION_SCALE, QuestionKind, options
from dangjian.appraisals.models import Question, Subject
from dangjian.appraisals.questionnaire import answer_key, ballot_items
from dangjian.core.uploads import SCAN_MAX_BYTES

RECEIPT_MAX = 20
CODE_MAX = 20


@dataclass
class BallotItem:
    """One answer of the ballot: a grade (pills), a score or a comment."""

    key: str
    question: Question
    value: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return "a" + self.key.replace(":", "-")

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def required(self) -> bool:
        return self.question.required and self.question.kind != QuestionKind.COMMENT


@dataclass
class BallotCard:
    """A subject's card (or the card of the questions asked once, subject None)."""

    subject: Subject | None
    items: list[BallotItem] = field(default_factory=list)


@dataclass
class BallotLayout:
    """The whole ballot page: a card per subject, then the questions asked once."""

    cards: list[BallotCard]
    general: BallotCard | None
    # Scales offered by the "全部评为…" helper: (scale, [(code, label)]).
    helpers: list[tuple[str, list[tuple[str, str]]]]
    required_count: int


def lay_out(
    questions: Sequence[Question], subjects: Sequence[Subject], values: Mapping[str, Any]
) -> BallotLayout:
    """The ballot's cards in page order, with the values the voter already chose."""
    if not any(q.per_subject for q in questions):
        subjects = []
    cards: dict[int, BallotCard] = {s.pk: BallotCard(s) for s in subjects}
    general = BallotCard(None)
    helpers: dict[str, list[tuple[str, str]]] = {}
    required = 0
    for subject, question in ballot_items(questions, subjects):
        key = answer_key(subject.pk if subject else None, question.pk)
        raw = values.get(key, "")
        item = BallotItem(key, question, "" if raw is None else str(raw))
        if question.kind == QuestionKind.GRADE:
            item.choices = [(code, str(label)) for code, label in options(question.scale)]
            if subject is not None:
                helpers.setdefault(question.scale, item.choices)
        required += item.required
        (cards[subject.pk] if subject else general).items.append(item)
    # Subjects with nothing to answer (probationary members) keep their card, marked
    # 不评定等次, so the voter sees the whole list as announced.
    return BallotLayout(
        list(cards.values()), general if general.items else None, list(helpers.items()), required
    )


def answers_from(
    data: Mapping[str, Any], questions: Sequence[Question], subjects: Sequence[Subject]
) -> dict[str, str]:
    """The ballot's answers from a POST: only its own keys, empty ones left out (so a missing
    required answer is named by the action's message)."""
    answers: dict[str, str] = {}
    for subject, question in ballot_items(questions, subjects):
        key = answer_key(subject.pk if subject else None, question.pk)
        value = str(data.get(key, "") or "").strip()
        if value:
            answers[key] = value
    return answers


class ReportForm(forms.Form):
    """The subject's 述职/自评: text, self-assessment grade, one attachment."""

    report = forms.CharField(
        label=_("述职/自评内容"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={
            "required": _("请填写述职/自评内容。"),
            "max_length": _("述职/自评内容不能超过10000字。"),
        },
    )
    self_grade = forms.ChoiceField(label=_("自评等次"), required=False)
    report_file = forms.FileField(
        label=_("述职报告附件"),
        required=False,
        help_text=_("可选，PDF、JPG或PNG格式，不超过10MB；再次上传将替换原附件。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, subject: Subject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subject = subject
        if subject.graded:
            scale = DECISION_SCALE[subject.campaign.kind]
            choice_field: Any = self.fields["self_grade"]
            choice_field.choices = [("", _("（不自评）"))] + [
                (code, str(label)) for code, label in options(scale)
            ]
        else:
            del self.fields["self_grade"]  # probationary members are not graded

    def clean_report_file(self) -> Any:
        upload = self.cleaned_data.get("report_file")
        if upload and upload.size and upload.size > SCAN_MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过10MB。"))
        return upload


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("回执码"),
        max_length=RECEIPT_MAX,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
                "class": "form-control form-control-lg font-monospace",
            }
        ),
        error_messages={"required": _("请输入回执码。"), "max_length": _("回执码格式不正确。")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("投票码"),
        max_length=CODE_MAX,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
                "class": "form-control form-control-lg font-monospace",
            }
        ),
        error_messages={"required": _("请输入投票码。"), "max_length": _("投票码格式不正确。")},
    )
