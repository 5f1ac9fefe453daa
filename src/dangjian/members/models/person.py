"""A person on the party's books, from applicant to full member (domain.md §8).

Citizen ID and phone numbers are never stored in plain text: each is kept SM4-encrypted
(`core.crypto`), with a masked copy for display and, for the ID number, a keyed SM3 hash for
exact search and uniqueness. Reading the plain value is `reveal_*`, which views and the API
only call after checking the REVEAL permission and writing a security event.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto, idnumber
from dangjian.core.roles import COMMITTEE, MEMBER, SECRETARY, UNIVERSITY
from dangjian.core.scope import (
    ADD,
    CHANGE,
    DELETE,
    EXPORT,
    IMPORT,
    REVEAL,
    VIEW,
    ScopedQuerySet,
    ScopeSpec,
)
from dangjian.members.choices import (
    MEMBER_CATEGORIES,
    ON_BOOKS,
    Category,
    Education,
    Ethnicity,
    Gender,
    LeaveReason,
    Post,
    Status,
)
from dangjian.orgs.models import Organization, pinyin_of

ID_FIELD = "members.person.id_number"
PHONE_FIELD = "members.person.phone"


def mask_phone(phone: str) -> str:
    """138****1234: the first 3 and last 4 digits of a mobile number."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class PersonQuerySet(ScopedQuerySet["Person"]):
    def on_books(self) -> PersonQuerySet:
        """People the institution still keeps (not transferred out, left or deceased)."""
        return self.filter(status__in=ON_BOOKS)

    def members(self) -> PersonQuerySet:
        """Party members on the books: probationary and full, normal or suspended."""
        return self.on_books().filter(category__in=MEMBER_CATEGORIES)

    def within(self, org: Organization) -> PersonQuerySet:
        return self.filter(organization__path__startswith=org.path)

    def with_id_number(self, raw: str) -> PersonQuerySet:
        """Exact search by citizen ID number (through its keyed hash)."""
        try:
            number = idnumber.parse(raw).number
        except ValueError:
            return self.none()
        return self.filter(id_hash=crypto.lookup_hash(number, ID_FIELD))


def _self(user: Any) -> Q:
    return Q(user=user)


class Person(models.Model):
    """One person in the registry; `category` says how far into the party they are."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    name_pinyin = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(
        _("民族"), max_length=4, choices=Ethnicity.choices, default=Ethnicity.HAN
    )
    birth_date = models.DateField(_("出生日期"))
    id_cipher = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=24, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=24, blank=True, editable=False)
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    degree = models.CharField(_("学位"), max_length=20, blank=True)
    staff_no = models.CharField(_("工号/学号"), max_length=30, blank=True, db_index=True)
    unit = models.CharField(_("所在单位"), max_length=100, blank=True)
    post = models.CharField(_("岗位/类别"), max_length=24, choices=Post.choices, blank=True)
    title = models.CharField(_("职称/职务"), max_length=50, blank=True)
    enrollment_year = models.PositiveSmallIntegerField(_("入学年份"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to="photos/%Y/", blank=True)

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="people", verbose_name=_("所在党组织")
    )
    party_group = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_people",
        verbose_name=_("党小组"),
    )
    category = models.CharField(
        _("人员类别"), max_length=16, choices=Category.choices, db_index=True
    )
    applied_on = models.DateField(_("递交入党申请书日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定为积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True, db_index=True)
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)

    status = models.CharField(
        _("党籍状态"), max_length=16, choices=Status.choices, default=Status.NORMAL, db_index=True
    )
    suspended_on = models.DateField(_("停止党籍日期"), null=True, blank=True)
    left_on = models.DateField(_("出党日期"), null=True, blank=True)
    leave_reason = models.CharField(
        _("出党方式"), max_length=24, choices=LeaveReason.choices, blank=True
    )
    died_on = models.DateField(_("去世日期"), null=True, blank=True)
    off_books_on = models.DateField(
        _("离开本校党员名册日期"), null=True, blank=True, help_text=_("转出、出党或去世之日")
    )
    lost_contact = models.BooleanField(_("失去联系"), default=False)
    lost_contact_since = models.DateField(_("失联日期"), null=True, blank=True)
    is_floating = models.BooleanField(_("流动党员"), default=False)
    floating_destination = models.CharField(_("外出流向"), max_length=100, blank=True)
    floating_from = models.DateField(_("外出日期"), null=True, blank=True)
    floating_until = models.DateField(_("预计返回日期"), null=True, blank=True)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("登录账号"),
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT, REVEAL},
            COMMITTEE: {VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT, REVEAL},
            SECRETARY: {VIEW, ADD, CHANGE, EXPORT, IMPORT},
            MEMBER: {VIEW, REVEAL},
        },
        self_filter=_self,
    )
    audit_masked_fields = ("id_cipher", "id_hash", "phone_cipher")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["organization", "category", "status"], name="members_org_cat"),
            models.Index(fields=["organization", "name_pinyin"], name="members_org_pinyin"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_no"],
                condition=~Q(staff_no=""),
                name="members_staff_no_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_pinyin, self.name_initials = pinyin_of(self.name)
        super().save(*args, **kwargs)

    # Protected values --------------------------------------------------------------------

    def set_id_number(self, number: str) -> None:
        """Store a validated 18-character number: ciphertext, lookup hash and masked copy."""
        self.id_cipher = crypto.encrypt(number, ID_FIELD)
        self.id_hash = crypto.lookup_hash(number, ID_FIELD)
        self.id_masked = idnumber.mask(number)

    def reveal_id_number(self) -> str:
        """The plain number; callers check REVEAL and record the reveal first."""
        return crypto.decrypt(self.id_cipher, ID_FIELD)

    def set_phone(self, phone: str) -> None:
        self.phone_cipher = crypto.encrypt(phone, PHONE_FIELD) if phone else ""
        self.phone_masked = mask_phone(phone) if phone else ""

    def reveal_phone(self) -> str:
        return crypto.decrypt(self.phone_cipher, PHONE_FIELD) if self.phone_cipher else ""

    # Facts ---------------------------------------------------------------------------------

    @property
    def is_member(self) -> bool:
        return self.category in MEMBER_CATEGORIES and self.status in ON_BOOKS

    @property
    def on_books(self) -> bool:
        return self.status in ON_BOOKS

    def age_on(self, day: date) -> int:
        birth = self.birth_date
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

    def standing_since(self) -> date | None:
        """Party standing (党龄) counts from the end of probation, i.e. the conversion date."""
        return self.converted_on
