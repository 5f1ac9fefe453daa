"""Forms of the event pages: they parse input; `orglife.actions` validates and saves.

Most fields are optional here so that the action's Chinese refusal (naming its field) is
the one shown. The date and the two times are separate inputs (simpler on a phone); the
view joins them into the aware `starts_at`/`ends_at` the action takes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import MEMBER
from dangjian.core.scope import ADD, user_grants
from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel
from dangjian.orglife.models import Event, EventFile, PlanItem
from dangjian.orglife.plans import PLAN_KIND_OF
from dangjian.orgs.choices import BRANCH_LEVELS, Level
from dangjian.orgs.models import Organization

# Fields shown only for some kinds (the form's JS reads data-kinds); others are for all.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "speaker_name": (EventKind.LECTURE,),
    "lecture_level": (EventKind.LECTURE,),
    "is_micro": (EventKind.LECTURE,),
    "first_topic": (EventKind.COMMITTEE_MEETING,),
    "party_group": (EventKind.GROUP_MEETING,),
    "criticism": (EventKind.REVIEW_MEETING,),
    "hours": (EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE),
    "plan_item": tuple(PLAN_KIND_OF),
}
# Levels that keep events: branches and their party groups, committees and general branches.
EVENT_LEVELS = (*BRANCH_LEVELS, Level.PARTY_GROUP, Level.COMMITTEE, Level.GENERAL_BRANCH)
WIDE = {"col": "col-12"}


def addable_organizations(user: Any) -> Any:
    """Organizations where `user` may record events (their ADD grants' subtrees)."""
    condition: Q | None = None
    for grant in user_grants(user):
        if grant.role == MEMBER or not Event.scope.allows(grant.role, ADD):
            continue
        subtree = Q() if grant.path is None else Q(path__startswith=grant.path)
        condition = subtree if condition is None else condition | subtree
    if condition is None:
        return Organization.objects.none()
    return Organization.objects.active().filter(condition, level__in=EVENT_LEVELS).order_by("path")


class PlanSelect(forms.Select):
    """Options carry their organization and kind, so the form's JS offers the matching ones."""

    def __init__(self, items: list[PlanItem]) -> None:
        super().__init__()
        self.items = items

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = str(value or "")
        parts = [format_html("<select{}>", flatatt(final)), '<option value="">—</option>']
        kinds = {plan: event for event, plan in PLAN_KIND_OF.items()}
        for item in self.items:
            mark = " selected" if str(item.pk) == chosen else ""
            parts.append(
                f'<option value="{item.pk}" data-org="{item.organization_id}" '
                f'data-kind="{escape(kinds.get(item.kind, ""))}"{mark}>'
                f"{escape(str(item))}</option>"
            )
        parts.append("</select>")
        return mark_safe("".join(parts))


def _text(label: Any, *, wide: bool = False, rows: int = 0, **kw: Any) -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": rows, **WIDE}) if rows else forms.TextInput(attrs=kw)
    )
    if wide and not rows:
        widget.attrs.update(WIDE)
    return forms.CharField(label=label, required=False, widget=widget, strip=True)


class EventForm(forms.Form):
    """Add or change an event. Organization and kind are fixed once it is recorded."""

    organization = forms.ChoiceField(label=_("党组织"), widget=QuickSelect())
    kind = forms.ChoiceField(label=_("类型"), choices=[("", "—"), *EventKind.choices])
    title = _text(_("主题"), wide=True, maxlength=200)
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (EventStatus.HELD, EventStatus.HELD.label),
            (EventStatus.PLANNED, EventStatus.PLANNED.label),
        ],
        initial=EventStatus.HELD,
    )
    day = forms.DateField(
        label=_("日期"),
        widget=DateInput(attrs={"col": "col-12 col-md-4"}),
        error_messages={"required": _("请填写日期。"), "invalid": _("日期格式不正确。")},
    )
    start_time = forms.TimeField(
        label=_("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time", "col": "col-6 col-md-4"}, format="%H:%M"),
        error_messages={"required": _("请填写开始时间。"), "invalid": _("时间格式不正确。")},
    )
    end_time = forms.TimeField(
        label=_("结束时间"),
        widget=forms.TimeInput(attrs={"type": "time", "col": "col-6 col-md-4"}, format="%H:%M"),
        error_messages={"required": _("请填写结束时间。"), "invalid": _("时间格式不正确。")},
    )
    place = _text(_("地点"), maxlength=200)
    host_name = _text(_("主持人"), maxlength=50)
    recorder_name = _text(_("记录人"), maxlength=50)
    speaker_name = _text(_("主讲人"), maxlength=50)
    lecture_level = forms.ChoiceField(
        label=_("主讲人层级"), required=False, choices=[("", "—"), *LectureLevel.choices]
    )
    is_micro = forms.BooleanField(label=_("微党课"), required=False)
    party_group = forms.ChoiceField(label=_("党小组"), required=False)
    hours = forms.CharField(
        label=_("每人时长（小时）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    is_joint = forms.BooleanField(label=_("联合开展"), required=False)
    partners = _text(_("联合单位"), maxlength=200)
    plan_item = forms.ChoiceField(label=_("年度计划事项"), required=False)
    first_topic = _text(_("第一议题学习内容"), rows=3)
    agenda = _text(_("议程"), rows=3)
    minutes = _text(_("会议记录"), rows=6)
    resolutions = _text(_("决议事项"), rows=3)
    criticism = _text(_("批评与自我批评情况"), rows=4)

    def __init__(
        self, *args: Any, user: Any, event: Event | None = None, justify: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.event = event
        orgs = list(addable_organizations(user).values_list("pk", "name", "depth", "level"))
        top = min((row[2] for row in orgs), default=1)
        self._set_choices(
            "organization",
            [("", "—")]
            + [(pk, f"{'　' * (depth - top)}{name}") for pk, name, depth, _level in orgs],
        )
        groups = [(row[0], row[1]) for row in orgs if row[3] == Level.PARTY_GROUP]
        self._set_choices("party_group", [("", "—"), *groups])
        org_ids = [row[0] for row in orgs]
        if event is not None:
            self._set_choices("organization", [(event.organization_id, event.organization.name)])
            self.fields["organization"].disabled = True
            self.fields["kind"].disabled = True
            org_ids = [event.organization_id]
        year = timezone.localdate().year
        found = PlanItem.objects.filter(
            Q(organization__in=org_ids, year__in=(year - 1, year, year + 1))
            | Q(pk=getattr(event, "plan_item_id", None))
        ).order_by("organization__path", "year", "month")
        items = list(found[:500])
        self._set_choices("plan_item", [("", "—")] + [(i.pk, str(i)) for i in items])
        self.fields["plan_item"].widget = PlanSelect(items)
        if justify:
            self.add_justification()

    def _set_choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field: Any = self.fields[name]  # a ChoiceField, typed as Field
        field.choices = choices

    def add_justification(self) -> None:
        self.fields["late_reason"] = forms.CharField(
            label=_("补录理由"),
            required=False,
            max_length=300,
            widget=forms.Textarea(attrs={"rows": 2, **WIDE}),
            help_text=_("活动已超过登记时限，请说明未及时登记的原因；保存后标记为“逾期补录”。"),
        )

    def kinds_of(self, name: str) -> str:
        """The kinds a field is shown for (space separated; '' for every kind)."""
        return " ".join(KIND_FIELDS.get(name, ()))

    def moment(self, day: date, at: time) -> datetime:
        return timezone.make_aware(datetime.combine(day, at))

    def action_data(self) -> dict[str, Any]:
        """The data `actions.save_event` takes, from the cleaned fields."""
        data = dict(self.cleaned_data)
        data["starts_at"] = self.moment(data.pop("day"), data.pop("start_time"))
        data["ends_at"] = self.moment(data["starts_at"].date(), data.pop("end_time"))
        data.pop("organization", None)
        data.pop("late_reason", None)
        if self.event is not None:
            data["kind"] = self.event.kind
        return data


def initial_of(event: Event) -> dict[str, Any]:
    """The form's initial values from a recorded event."""
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    names = [f for f in EventForm.base_fields if hasattr(event, f)]
    initial = {name: getattr(event, name) for name in names}
    initial |= {
        "organization": event.organization_id,
        "party_group": event.party_group_id or "",
        "plan_item": event.plan_item_id or "",
        "day": starts.date(),
        "start_time": starts.time(),
        "end_time": ends.time(),
        "hours": "" if event.hours is None else str(event.hours),
    }
    return initial


ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


def renamed(errors: dict[str, str]) -> dict[str, str]:
    """An action's error keys as the form's field names."""
    return {ERROR_FIELDS.get(name, name): text for name, text in errors.items()}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, **WIDE}),
        error_messages={"required": _("请填写取消原因。")},
    )


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=EventFile.KINDS, initial=EventFile.PHOTO)
    title = forms.CharField(label=_("名称"), max_length=100, required=False)
    file = forms.FileField(
        label=_("文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )

    def clean_title(self) -> str:
        title: str = self.cleaned_data.get("title") or ""
        return title.strip()
