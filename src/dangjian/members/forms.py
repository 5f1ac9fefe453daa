"""Forms of the member pages: they parse input; the actions validate and save.

Field names are those of the actions' `DomainError`s, so `apply_errors` puts each refusal on
its field. Citizen ID and phone numbers are never put back into a form in plain text: on edit
they are optional "correction" fields next to the masked value.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import ADD, covering_paths, user_grants
from dangjian.core.widgets import DateInput
from dangjian.members.choices import (
    CadreRank,
    Category,
    Education,
    Ethnicity,
    Gender,
    LeaveReason,
    Post,
    TransferDirection,
)
from dangjian.members.models import Person
from dangjian.members.validation import HOLDING_LEVELS
from dangjian.orgs.choices import Level
from dangjian.orgs.choices import Status as OrgStatus
from dangjian.orgs.models import Organization

DATE = DateInput()
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": ("jpg", "image/jpeg"), b"\x89PNG\r\n\x1a\n": ("png", "image/png")}


def photo_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG or PNG from its first bytes; None otherwise."""
    for magic, kind in PHOTO_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


def check_photo(upload: UploadedFile) -> UploadedFile:
    """A JPEG or PNG of at most 2 MB, judged by its content, renamed to a random name."""
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise forms.ValidationError(
            gettext("照片不能超过2MB，当前为%(size).1fMB。") % {"size": upload.size / 1024 / 1024}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = photo_type(head)
    if kind is None:
        raise forms.ValidationError(gettext("照片应为JPEG或PNG格式的图片文件。"))
    # The stored name says nothing about the person (the original name often is their name).
    upload.name = f"{uuid.uuid4().hex}.{kind[0]}"
    return upload


def _add_condition(user: Any) -> Q:
    """Organizations under a grant of `user` that allows registering people (as covers())."""
    spec = Person.scope
    paths = [
        g.path
        for g in user_grants(user)
        if spec.allows(g.role, ADD) and g.role not in spec.self_roles
    ]
    if any(path is None for path in paths):
        return Q()
    condition = Q(pk__in=[])
    for path in covering_paths(p for p in paths if p):
        condition |= Q(path__startswith=path)
    return condition


def person_organizations(user: Any) -> QuerySet[Organization]:
    """Active organizations where `user` may register people (branches, committees)."""
    return (
        Organization.objects.active()
        .filter(_add_condition(user), level__in=HOLDING_LEVELS)
        .order_by("path")
    )


class OrganizationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Organizations indented by depth, in tree order."""

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}"


class PartyGroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Party groups named with their branch: '文学院教工第一党支部 · 第一党小组'."""

    parents: dict[str, str]

    def label_from_instance(self, obj: Organization) -> str:
        parent = getattr(self, "parents", {}).get(obj.path[: -Organization.steplen], "")
        return f"{parent} · {obj.name}" if parent else obj.name


def _offer_groups(field: PartyGroupChoiceField, groups: QuerySet[Organization]) -> None:
    """Offer these party groups, each labelled with the name of its branch."""
    groups = groups.filter(level=Level.PARTY_GROUP, status=OrgStatus.ACTIVE).order_by("path")
    field.queryset = groups
    parent_paths = {path[: -Organization.steplen] for path in groups.values_list("path", flat=True)}
    field.parents = dict(
        Organization.objects.filter(path__in=parent_paths).values_list("path", "name")
    )


def _choices(choices: list[tuple[str, Any]], empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *choices]


class PersonForm(forms.Form):
    """Register or edit a person; `instance` makes it the edit form."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        help_text=_("18位居民身份证号；性别、出生日期可留空，由身份证号自动得出。"),
    )
    gender = forms.ChoiceField(label=_("性别"), required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    ethnicity = forms.ChoiceField(label=_("民族"), required=False)
    native_place = forms.CharField(label=_("籍贯"), max_length=50, required=False)
    education = forms.ChoiceField(label=_("学历"), required=False)
    degree = forms.CharField(label=_("学位"), max_length=20, required=False)
    staff_no = forms.CharField(label=_("工号/学号"), max_length=30, required=False)
    unit = forms.CharField(label=_("所在单位"), max_length=100, required=False)
    post = forms.ChoiceField(label=_("岗位/类别"), required=False)
    title = forms.CharField(label=_("职称/职务"), max_length=50, required=False)
    enrollment_year = forms.IntegerField(label=_("入学年份"), required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=30, required=False)
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    organization = OrganizationChoiceField(
        label=_("所在党组织"), queryset=Organization.objects.none(), empty_label=_("请选择")
    )
    party_group = PartyGroupChoiceField(
        label=_("党小组"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("（不分党小组）"),
    )
    category = forms.ChoiceField(label=_("人员类别"))
    applied_on = forms.DateField(label=_("递交入党申请书日期"), required=False, widget=DATE)
    activist_on = forms.DateField(label=_("确定为积极分子日期"), required=False, widget=DATE)
    candidate_on = forms.DateField(label=_("确定为发展对象日期"), required=False, widget=DATE)
    joined_on = forms.DateField(label=_("入党日期"), required=False, widget=DATE)
    converted_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        help_text=_("JPEG或PNG格式，不超过2MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    SECTIONS = (
        (
            _("基本信息"),
            (
                "name",
                "id_number",
                "gender",
                "birth_date",
                "ethnicity",
                "native_place",
                "education",
                "degree",
            ),
        ),
        (
            _("工作学习与联系方式"),
            (
                "staff_no",
                "unit",
                "post",
                "title",
                "enrollment_year",
                "phone",
                "clear_phone",
                "address",
            ),
        ),
        (_("所在组织"), ("organization", "party_group")),
        (
            _("党员信息"),
            ("category", "applied_on", "activist_on", "candidate_on", "joined_on", "converted_on"),
        ),
        (_("其他"), ("photo", "note")),
    )
    WIDE = frozenset({"note", "address"})

    def __init__(
        self, *args: Any, user: Any, instance: Person | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", _initial(instance))
        super().__init__(*args, **kwargs)
        fields = self.fields
        _set_choices(fields["gender"], _choices(Gender.choices, gettext("按身份证号")))
        _set_choices(fields["ethnicity"], list(Ethnicity.choices))
        _set_choices(fields["education"], _choices(Education.choices, "—"))
        _set_choices(fields["post"], _choices(Post.choices, "—"))
        _set_choices(fields["category"], _choices(Category.choices, gettext("请选择")))
        fields["ethnicity"].initial = Ethnicity.HAN
        fields["category"].help_text = gettext(
            "按类别填写已经历各阶段的日期；预备党员须填入党日期，正式党员还须填转正日期。"
        )
        group_field: PartyGroupChoiceField = fields["party_group"]  # type: ignore[assignment]
        if instance is None:
            org_field: forms.ModelChoiceField = fields["organization"]  # type: ignore[type-arg,assignment]
            org_field.queryset = person_organizations(user)
            # Any group in the user's scope; the action checks it lies under the organization.
            _offer_groups(group_field, Organization.objects.filter(_add_condition(user)))
        else:
            del fields["organization"]
            _offer_groups(group_field, Organization.objects.within(instance.organization))
            fields["id_number"] = forms.CharField(
                label=gettext("更正身份证号"),
                max_length=30,
                required=False,
                help_text=gettext("现登记：%(masked)s。仅在登记有误时填写正确的号码，否则请留空。")
                % {"masked": instance.id_masked},
            )
            fields["phone"].label = gettext("手机号码")
            fields["phone"].help_text = (
                gettext("现登记：%(masked)s。修改时填写新号码，不修改请留空。")
                % {"masked": instance.phone_masked}
                if instance.phone_masked
                else gettext("尚未登记。")
            )
            if instance.phone_masked:
                fields["clear_phone"] = forms.BooleanField(
                    label=gettext("清除已登记的手机号码"), required=False
                )
            if instance.photo:
                fields["photo"].help_text = gettext(
                    "已有照片；上传新照片将替换原照片。JPEG或PNG格式，不超过2MB。"
                )
        self.order_fields([name for _title, names in self.SECTIONS for name in names])

    def sections(self) -> Iterator[tuple[Any, list[forms.BoundField]]]:
        """(title, bound fields) of each part of the form, for the template."""
        for title, names in self.SECTIONS:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                yield title, bound

    def clean_photo(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return check_photo(upload)

    def action_data(self) -> dict[str, Any]:
        """What the register/update action takes; on edit, blank corrections are left out."""
        data = {name: value for name, value in self.cleaned_data.items() if name in self.fields}
        data.pop("clear_phone", None)
        if data.get("photo") is None:
            data.pop("photo", None)
        if data.get("enrollment_year") is None:
            data["enrollment_year"] = None
        if self.instance is not None:
            if not data.get("id_number"):
                data.pop("id_number", None)
            if not data.get("phone") and not self.cleaned_data.get("clear_phone"):
                data.pop("phone", None)
            # Left blank on edit: keep what is registered (or derive it from a corrected ID).
            for name in ("gender", "birth_date"):
                if data.get(name) in (None, "") and "id_number" not in data:
                    data.pop(name, None)
        return data


def _set_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]


def _initial(person: Person) -> dict[str, Any]:
    names = (
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "native_place",
        "education",
        "degree",
        "staff_no",
        "unit",
        "post",
        "title",
        "enrollment_year",
        "address",
        "category",
        "applied_on",
        "activist_on",
        "candidate_on",
        "joined_on",
        "converted_on",
        "note",
    )
    initial = {name: getattr(person, name) for name in names}
    initial["party_group"] = person.party_group_id
    return initial


# Lifecycle forms ---------------------------------------------------------------------------


def _today() -> Any:
    return timezone.localdate()


class TransferIssueForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("转接类型"),
        choices=[
            (TransferDirection.INTERNAL, _("校内转接（转到本校其他党组织）")),
            (TransferDirection.OUTBOUND, _("转出本校")),
        ],
        initial=TransferDirection.INTERNAL,
        widget=forms.RadioSelect,
    )
    to_organization = OrganizationChoiceField(
        label=_("转入党组织（校内）"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("请选择"),
        help_text=_("校内转接时选择。"),
    )
    other_institution = forms.CharField(
        label=_("转往的校外党组织"),
        max_length=150,
        required=False,
        help_text=_("转出本校时填写，如“某某大学某某学院党委”。"),
    )
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=50)
    issued_on = forms.DateField(label=_("开具日期"), widget=DATE, initial=_today)
    reason = forms.CharField(label=_("转接原因"), max_length=200, required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The target may lie anywhere in the institution: the receiving side confirms.
        targets = (
            Organization.objects.active()
            .filter(level__in=HOLDING_LEVELS)
            .exclude(pk=person.organization_id)
            .order_by("path")
        )
        self.fields["to_organization"].queryset = targets  # type: ignore[attr-defined]


class FloatingStartForm(forms.Form):
    destination = forms.CharField(
        label=_("外出流向"), max_length=100, help_text=_("外出地点、单位，如“深圳市某某公司”。")
    )
    on = forms.DateField(label=_("外出日期"), widget=DATE, initial=_today)
    until = forms.DateField(label=_("预计返回日期"), widget=DATE, required=False)


class DateForm(forms.Form):
    """One date (the label says which): end of floating, contact restored, death …"""

    on = forms.DateField(label=_("日期"), widget=DATE, initial=_today)

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["on"].label = label


class ContactLostForm(forms.Form):
    since = forms.DateField(
        label=_("失去联系日期"), widget=DATE, help_text=_("最后一次取得联系之后、确认失联之日。")
    )


class SuspendForm(forms.Form):
    on = forms.DateField(label=_("停止党籍日期"), widget=DATE, initial=_today)
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        help_text=_("如“失去联系满6个月”“出国（境）学习研究超过5年”，并注明决定文号。"),
    )


class RestoreForm(forms.Form):
    on = forms.DateField(label=_("恢复党籍日期"), widget=DATE, initial=_today)
    reason = forms.CharField(label=_("依据"), max_length=200, help_text=_("恢复党籍的决定及文号。"))


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("出党日期"), widget=DATE, initial=_today)
    reason = forms.ChoiceField(
        label=_("出党方式"), choices=[("", _("请选择")), *LeaveReason.choices]
    )


class CadreForm(forms.Form):
    rank = forms.ChoiceField(label=_("职级"), choices=[("", _("请选择")), *CadreRank.choices])
    position = forms.CharField(label=_("现任职务"), max_length=100)
    unit = forms.CharField(label=_("任职单位"), max_length=100)
    team = forms.CharField(label=_("所在领导班子"), max_length=100, required=False)
    is_university_leader = forms.BooleanField(label=_("校领导班子成员"), required=False)
    appointed_on = forms.DateField(label=_("任现职日期"), widget=DATE, required=False)
    rank_since = forms.DateField(label=_("任现职级日期"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
