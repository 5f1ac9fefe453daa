"""Forms of the organizer's pages: they parse input; `appraisals.actions` validates and saves.

Fields the actions check are optional here, so the action's Chinese refusal (naming its
field) is the one shown, and a page and the API refuse the same input with the same words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.actions import MAX_CODES
from dangjian.appraisals.choices import CampaignKind, QuestionKind, Scale
from dangjian.appraisals.models import Campaign, Question
from dangjian.appraisals.sources import SUBJECT_SOURCES, VOTER_SOURCES
from dangjian.core.roles import MEMBER
from dangjian.core.scope import ADD, user_grants
from dangjian.core.widgets import QuickSelect
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

WIDE = {"col": "col-12"}
HALF = {"col": "col-md-6"}
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
# Where a new campaign of each kind takes its subjects from unless the organizer says otherwise.
DEFAULT_SUBJECTS: dict[str, str] = {
    CampaignKind.MEMBER_APPRAISAL: "members",
    CampaignKind.DUAL_REVIEW: "branch_secretaries",
    CampaignKind.SECRETARY_REVIEW: "committee_secretaries",
    CampaignKind.TEAM_ASSESSMENT: "teams",
    CampaignKind.CADRE_ASSESSMENT: "cadres",
}
NO_SOURCE = [("", _("暂不添加"))]


def addable_organizations(user: Any) -> Any:
    """Organizations where `user` may hold campaigns (their ADD grants' subtrees)."""
    condition: Q | None = None
    for grant in user_grants(user):
        if grant.role == MEMBER or not Campaign.scope.allows(grant.role, ADD):
            continue
        subtree = Q() if grant.path is None else Q(path__startswith=grant.path)
        condition = subtree if condition is None else condition | subtree
    if condition is None:
        return Organization.objects.none()
    return (
        Organization.objects.active()
        .filter(condition)
        .exclude(level=Level.PARTY_GROUP)
        .order_by("path")
    )


class MomentInput(forms.DateTimeInput):
    """A native date-and-time picker (always ISO: the browser shows nothing else)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=MOMENT_FORMAT)

    def format_value(self, value: Any) -> Any:
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value)
        return super().format_value(value)


def _moment(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[MOMENT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=MomentInput(attrs=HALF),
        error_messages={"invalid": _("时间格式不正确，应为 YYYY-MM-DD HH:MM。")},
    )


class CampaignForm(forms.Form):
    """Start a campaign (with its subjects, voters and codes) or change its facts.

    Organization and kind are fixed once a campaign exists; the sources and the number of
    codes are asked only when it is started (the setup pages add more later).
    """

    organization = forms.ChoiceField(
        label=_("党组织"),
        widget=QuickSelect(attrs=HALF),
        error_messages={
            "required": _("请选择党组织。"),
            "invalid_choice": _("请选择您管理范围内的党组织。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("测评类型"),
        choices=[("", "—"), *CampaignKind.choices],
        required=False,
        widget=forms.Select(attrs=HALF),
        error_messages={"invalid_choice": _("请选择测评类型。")},
    )
    title = forms.CharField(
        label=_("名称"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, **WIDE}),
    )
    year = forms.IntegerField(
        label=_("评议年度"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "col": "col-6 col-md-4"}),
        error_messages={"invalid": _("评议年度应为2000至2100之间的年份。")},
    )
    opens_at = _moment(_("投票开始时间"))
    closes_at = _moment(_("投票截止时间"))
    instructions = forms.CharField(
        label=_("投票说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **WIDE}),
        help_text=_("显示在投票页面顶部，例如评议标准、投票注意事项。"),
    )
    subject_source = forms.ChoiceField(
        label=_("评议对象来源"),
        required=False,
        choices=[*NO_SOURCE, *SUBJECT_SOURCES.items()],
        widget=forms.Select(attrs=HALF),
        error_messages={"invalid_choice": _("请选择评议对象来源。")},
    )
    voter_source = forms.ChoiceField(
        label=_("投票人来源"),
        required=False,
        choices=[*NO_SOURCE, *VOTER_SOURCES.items()],
        initial="members",
        widget=forms.Select(attrs=HALF),
        error_messages={"invalid_choice": _("请选择投票人来源。")},
    )
    code_count = forms.IntegerField(
        label=_("投票码数量"),
        required=False,
        min_value=0,
        max_value=MAX_CODES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "col": "col-6 col-md-4"}),
        help_text=_("供没有账号的投票人扫码投票，可稍后再生成。"),
        error_messages={
            "invalid": _("投票码数量应为整数。"),
            "min_value": _("投票码数量不能为负数。"),
            "max_value": _("每次测评最多%(limit_value)s个投票码。"),
        },
    )

    SETUP_FIELDS = ("subject_source", "voter_source", "code_count")

    def __init__(self, *args: Any, user: Any, campaign: Campaign | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.campaign = campaign
        field: Any = self.fields["organization"]
        if campaign is None:
            rows = list(addable_organizations(user).values_list("pk", "name", "depth"))
            top = min((row[2] for row in rows), default=1)
            field.choices = [("", "—")] + [
                (pk, f"{'　' * (depth - top)}{name}") for pk, name, depth in rows
            ]
        else:
            field.choices = [(campaign.organization_id, campaign.organization.name)]
            field.disabled = True
            self.fields["kind"].disabled = True
            for name in self.SETUP_FIELDS:
                del self.fields[name]

    def clean_title(self) -> str:
        return str(self.cleaned_data.get("title") or "").strip()

    def action_data(self) -> dict[str, Any]:
        """The data `actions.create_campaign`/`update_campaign` take."""
        data = {
            name: self.cleaned_data.get(name)
            for name in ("kind", "title", "year", "opens_at", "closes_at", "instructions")
        }
        if self.campaign is not None:
            data["kind"] = self.campaign.kind
            for name in ("opens_at", "closes_at"):
                data[name] = _kept(data[name], getattr(self.campaign, name))
        return data


def _kept(posted: Any, stored: Any) -> Any:
    """The stored time when the form sent it back unchanged: the picker shows minutes only,
    and dropping the seconds would read as moving it (refused once voting has opened)."""
    if posted is None or stored is None:
        return posted
    if timezone.is_naive(posted):
        posted = timezone.make_aware(posted)
    shown = timezone.localtime(stored).replace(second=0, microsecond=0)
    return stored if timezone.localtime(posted) == shown else posted


def initial_of(campaign: Campaign) -> dict[str, Any]:
    return {
        "organization": campaign.organization_id,
        "kind": campaign.kind,
        "title": campaign.title,
        "year": campaign.year,
        "opens_at": campaign.opens_at,
        "closes_at": campaign.closes_at,
        "instructions": campaign.instructions,
    }


class SourceForm(forms.Form):
    """Add subjects or voters from a named source."""

    source = forms.ChoiceField(
        label=_("来源"),
        error_messages={"required": _("请选择来源。"), "invalid_choice": _("请选择来源。")},
    )

    def __init__(self, *args: Any, sources: dict[str, Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field: Any = self.fields["source"]
        field.choices = [("", "—"), *sources.items()]


class PeopleForm(forms.Form):
    """The people picked on a setup page (ids, re-read in the user's scope by the view)."""

    people = forms.TypedMultipleChoiceField(
        coerce=int,
        label=_("人员"),
        error_messages={
            "required": _("请至少选择一人。"),
            "invalid_choice": _("所选人员不在您的管理范围内。"),
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field: Any = self.fields["people"]
        field.choices = choices


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("题型"),
        choices=[("", "—"), *QuestionKind.choices],
        required=False,
        widget=forms.Select(attrs={"col": "col-md-4"}),
        error_messages={"invalid_choice": _("请选择题型。")},
    )
    text = forms.CharField(
        label=_("题目"), required=False, widget=forms.TextInput(attrs={"maxlength": 300, **WIDE})
    )
    scale = forms.ChoiceField(
        label=_("评价等次"),
        choices=[("", "—"), *Scale.choices],
        required=False,
        widget=forms.Select(attrs={"col": "col-md-4", "data-for": "grade"}),
        error_messages={"invalid_choice": _("等次评价题请选择评价等次。")},
    )
    max_top = forms.IntegerField(
        label=_("最多评首项人数"),
        required=False,
        widget=forms.NumberInput(attrs={"col": "col-md-4", "data-for": "grade"}),
        help_text=_("如民主推荐限推N人；不限则留空。"),
        error_messages={"invalid": _("最多选择人数应为正整数。")},
    )
    min_score = forms.IntegerField(
        label=_("最低分"),
        required=False,
        widget=forms.NumberInput(attrs={"col": "col-6 col-md-3", "data-for": "score"}),
        error_messages={"invalid": _("分数应为整数。")},
    )
    max_score = forms.IntegerField(
        label=_("最高分"),
        required=False,
        widget=forms.NumberInput(attrs={"col": "col-6 col-md-3", "data-for": "score"}),
        error_messages={"invalid": _("分数应为整数。")},
    )
    per_subject = forms.BooleanField(
        label=_("对每个评议对象分别评价"), required=False, initial=True
    )
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)


def question_initial(question: Question) -> dict[str, Any]:
    names = ("kind", "text", "scale", "max_top", "min_score", "max_score", "per_subject")
    return {name: getattr(question, name) for name in (*names, "required")}


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=_("生成数量"),
        min_value=1,
        max_value=MAX_CODES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("请填写投票码数量。"),
            "invalid": _("投票码数量应为整数。"),
            "min_value": _("投票码数量至少为1个。"),
            "max_value": _("投票码数量应为1至%(limit_value)s之间的整数。"),
        },
    )
