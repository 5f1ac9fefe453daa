"""Request and response schemas of the member registry API (/api/v1/members).

Dates are ISO strings (YYYY-MM-DD); a choice is its code with a `*_display` label; an
organization is {id, name, code}. Citizen ID and phone numbers appear only masked
(`id_masked`, `phone_masked`): the plain value is given by the audited reveal operation alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from dangjian.core import idnumber
from dangjian.members.actions import CORRECTABLE, proposed_plain
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
from dangjian.members.filters import PersonFilter
from dangjian.members.models.person import mask_phone


def display(field: str) -> Callable[[Any], str]:
    """A resolver giving the Chinese label of a choice field ('' when blank)."""

    def resolve(obj: Any) -> str:
        return str(getattr(obj, f"get_{field}_display")()) if getattr(obj, field) else ""

    return resolve


# --- output -----------------------------------------------------------------------------------


class OrganizationRef(Schema):
    """An organization as other records name it."""

    id: int
    name: str = Field(description="名称")
    code: str = Field(description="组织编码")


class PersonRef(Schema):
    """A person as other records name them."""

    id: int
    name: str = Field(description="姓名")


class PersonOut(Schema):
    """One person as the list shows them (ID and phone numbers masked)."""

    id: int
    name: str = Field(description="姓名")
    gender: str = Field(description="性别：male / female")
    gender_display: str = Field(description="性别（中文）")
    ethnicity: str = Field(description="民族代码（GB/T 3304）")
    ethnicity_display: str = Field(description="民族（中文）")
    birth_date: date = Field(description="出生日期")
    id_masked: str = Field(description="身份证号（脱敏）")
    phone_masked: str = Field(description="手机号码（脱敏）")
    education: str = Field(description="学历代码；未填为空")
    education_display: str = Field(description="学历（中文）")
    post: str = Field(description="岗位/类别代码；未填为空")
    post_display: str = Field(description="岗位/类别（中文）")
    staff_no: str = Field(description="工号/学号")
    unit: str = Field(description="所在单位")
    organization: OrganizationRef = Field(description="所在党组织")
    party_group: OrganizationRef | None = Field(description="党小组")
    category: Category = Field(description="人员类别")
    category_display: str = Field(description="人员类别（中文）")
    joined_on: date | None = Field(description="入党日期")
    converted_on: date | None = Field(description="转正日期")
    status: str = Field(description="党籍状态")
    status_display: str = Field(description="党籍状态（中文）")
    lost_contact: bool = Field(description="失去联系")
    is_floating: bool = Field(description="流动党员")

    resolve_gender_display = staticmethod(display("gender"))
    resolve_ethnicity_display = staticmethod(display("ethnicity"))
    resolve_education_display = staticmethod(display("education"))
    resolve_post_display = staticmethod(display("post"))
    resolve_category_display = staticmethod(display("category"))
    resolve_status_display = staticmethod(display("status"))


class PersonPage(Schema):
    """A page of the member list."""

    count: int = Field(description="符合条件的人员总数")
    items: list[PersonOut]


class PersonDetail(PersonOut):
    """One person's whole record (ID and phone numbers masked)."""

    native_place: str = Field(description="籍贯")
    address: str = Field(description="家庭住址")
    degree: str = Field(description="学位")
    title: str = Field(description="职称/职务")
    enrollment_year: int | None = Field(description="入学年份")
    applied_on: date | None = Field(description="递交入党申请书日期")
    activist_on: date | None = Field(description="确定为积极分子日期")
    candidate_on: date | None = Field(description="确定为发展对象日期")
    suspended_on: date | None = Field(description="停止党籍日期")
    left_on: date | None = Field(description="出党日期")
    leave_reason: str = Field(description="出党方式代码")
    leave_reason_display: str = Field(description="出党方式（中文）")
    died_on: date | None = Field(description="去世日期")
    off_books_on: date | None = Field(description="离开本校党员名册日期（转出、出党或去世）")
    lost_contact_since: date | None = Field(description="失联日期")
    floating_destination: str = Field(description="外出流向")
    floating_from: date | None = Field(description="外出日期")
    floating_until: date | None = Field(description="预计返回日期（结束流动后为返回日期）")
    has_account: bool = Field(description="是否已开通登录账号")
    has_photo: bool = Field(description="是否有照片（在网页的人员档案中查看）")
    note: str = Field(description="备注")
    created_at: datetime = Field(description="建档时间")
    updated_at: datetime = Field(description="修改时间")

    resolve_leave_reason_display = staticmethod(display("leave_reason"))

    @staticmethod
    def resolve_has_account(obj: Any) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_has_photo(obj: Any) -> bool:
        return bool(obj.photo)


class ErrorOut(Schema):
    detail: str = Field(description="中文说明")


class RevealOut(Schema):
    value: str = Field(description="完整的身份证号或手机号码（本次查看已记入安全审计）")


class EventOut(Schema):
    """One entry of a person's timeline."""

    id: int
    kind: str = Field(description="事项代码")
    kind_display: str = Field(description="事项（中文）")
    occurred_on: date = Field(description="日期")
    summary: str = Field(description="摘要")
    organization: OrganizationRef | None = Field(description="当时所在党组织")
    actor: str = Field(description="经办人；系统导入或自动处理为空")
    recorded_at: datetime = Field(description="记录时间")

    resolve_kind_display = staticmethod(display("kind"))

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        actor = obj.actor
        return (actor.display_name or actor.get_username()) if actor is not None else ""


class TransferOut(Schema):
    """A transfer of the party relationship with its letter."""

    id: int
    person: PersonRef = Field(description="人员")
    direction: TransferDirection = Field(description="转接类型")
    direction_display: str = Field(description="转接类型（中文）")
    status: str = Field(description="状态：issued 已开具、received 已接收、returned 已退回")
    status_display: str = Field(description="状态（中文）")
    from_organization: OrganizationRef | None = Field(description="转出党组织；校外转入为 null")
    to_organization: OrganizationRef | None = Field(description="转入党组织；转出本校为 null")
    other_institution: str = Field(description="校外党组织")
    letter_no: str = Field(description="介绍信编号")
    issued_on: date = Field(description="开具日期")
    received_on: date | None = Field(description="接收日期")
    returned_on: date | None = Field(description="退回日期")
    reason: str = Field(description="转接原因")
    return_reason: str = Field(description="退回原因")
    created_at: datetime = Field(description="登记时间")

    resolve_direction_display = staticmethod(display("direction"))
    resolve_status_display = staticmethod(display("status"))


class TransferPage(Schema):
    count: int = Field(description="符合条件的转接总数")
    items: list[TransferOut]


class CorrectionOut(Schema):
    """A member's request to correct their record."""

    id: int
    person: PersonRef = Field(description="人员")
    field: str = Field(description="需更正的项目代码")
    field_display: str = Field(description="需更正的项目（中文）")
    current_value: str = Field(description="现登记内容（身份证号、手机号码为脱敏值）")
    proposed_value: str = Field(description="应更正为（身份证号、手机号码为脱敏值）")
    reason: str = Field(description="说明")
    status: str = Field(description="状态：pending 待处理、accepted 已更正、rejected 未采纳")
    status_display: str = Field(description="状态（中文）")
    requested_at: datetime = Field(description="提交时间")
    decided_at: datetime | None = Field(description="处理时间")
    response: str = Field(description="处理意见")

    resolve_status_display = staticmethod(display("status"))

    @staticmethod
    def resolve_field_display(obj: Any) -> str:
        return str(CORRECTABLE.get(obj.field, obj.field))

    @staticmethod
    def resolve_proposed_value(obj: Any) -> str:
        """Protected fields are stored encrypted and shown masked, never in plain."""
        if obj.field == "id_number":
            return idnumber.mask(proposed_plain(obj))
        if obj.field == "phone":
            return mask_phone(proposed_plain(obj))
        return obj.proposed_value  # type: ignore[no-any-return]


class CorrectionPage(Schema):
    count: int = Field(description="符合条件的申请总数")
    items: list[CorrectionOut]


class MeOut(Schema):
    """The caller's own record, timeline and correction requests."""

    person: PersonDetail
    timeline: list[EventOut] = Field(description="时间线，最新在前")
    corrections: list[CorrectionOut] = Field(description="本人的信息更正申请，最新在前")


class CadreOut(Schema):
    """A person's cadre record."""

    id: int
    person: PersonRef = Field(description="人员")
    organization: OrganizationRef = Field(description="所在党组织")
    rank: CadreRank = Field(description="职级")
    rank_display: str = Field(description="职级（中文）")
    position: str = Field(description="现任职务")
    unit: str = Field(description="任职单位")
    team: str = Field(description="所在领导班子")
    is_university_leader: bool = Field(description="校领导班子成员")
    appointed_on: date | None = Field(description="任现职日期")
    rank_since: date | None = Field(description="任现职级日期")
    status: str = Field(description="状态：in_office 在任、former 已离任")
    status_display: str = Field(description="状态（中文）")
    left_office_on: date | None = Field(description="离任日期")
    note: str = Field(description="备注")

    resolve_rank_display = staticmethod(display("rank"))
    resolve_status_display = staticmethod(display("status"))

    @staticmethod
    def resolve_organization(obj: Any) -> Any:
        return obj.person.organization


class CadrePage(Schema):
    count: int = Field(description="符合条件的干部总数")
    items: list[CadreOut]


# --- input ------------------------------------------------------------------------------------


class InputSchema(Schema):
    """Request bodies refuse unknown fields, so a misspelt field is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


def optional(**kwargs: Any) -> Any:
    """A field a PATCH may leave out; when sent, it must have a value of its type (not null)."""
    return Field(None, **kwargs)


ORG_FIELDS = ("organization", "party_group")


class PersonCreate(InputSchema):
    """A new person's record; gender and birth date may be left to the ID number."""

    name: str = Field(max_length=50, description="姓名")
    id_number: str = Field(max_length=30, description="身份证号（18位，15位自动升位）")
    gender: Gender | None = Field(None, description="性别；不填则按身份证号")
    birth_date: date | None = Field(None, description="出生日期；不填则按身份证号")
    ethnicity: Ethnicity = Field(Ethnicity.HAN, description="民族代码（GB/T 3304），默认 01 汉族")
    education: Education | None = Field(None, description="学历")
    degree: str = Field("", max_length=20, description="学位")
    staff_no: str = Field("", max_length=30, description="工号/学号，全校唯一")
    unit: str = Field("", max_length=100, description="所在单位")
    post: Post | None = Field(None, description="岗位/类别")
    title: str = Field("", max_length=50, description="职称/职务")
    enrollment_year: int | None = Field(None, description="入学年份（学生）")
    phone: str = Field("", max_length=30, description="手机号码（或带区号的固定电话）")
    native_place: str = Field("", max_length=50, description="籍贯")
    address: str = Field("", max_length=200, description="家庭住址")
    organization: int = Field(description="所在党组织 id（党支部，或直属的党委、党总支）")
    party_group: int | None = Field(None, description="党小组 id（所在党支部下）")
    category: Category = Field(description="人员类别")
    applied_on: date | None = Field(None, description="递交入党申请书日期")
    activist_on: date | None = Field(None, description="确定为积极分子日期")
    candidate_on: date | None = Field(None, description="确定为发展对象日期")
    joined_on: date | None = Field(None, description="入党日期（预备党员、正式党员必填）")
    converted_on: date | None = Field(None, description="转正日期（正式党员必填）")
    note: str = Field("", max_length=2000, description="备注")

    _blank = field_validator(
        "gender", "education", "post", "enrollment_year", "party_group", mode="before"
    )(_blank_to_none)

    def person_data(self, organizations: dict[str, Any]) -> dict[str, Any]:
        """The values the register action takes; organization ids replaced by the objects."""
        data = self.model_dump(exclude=set(ORG_FIELDS))
        for name in ("gender", "education", "post"):
            data[name] = data[name] or ""
        return {**data, **organizations}


class PersonUpdate(InputSchema):
    """Changed fields only; a field left out keeps its value."""

    name: str = optional(max_length=50, description="姓名")
    id_number: str = optional(max_length=30, description="身份证号")
    gender: Gender = optional(description="性别")
    birth_date: date = optional(description="出生日期")
    ethnicity: Ethnicity = optional(description="民族代码（GB/T 3304）")
    education: Education | None = Field(None, description="学历；null 表示未填")
    degree: str = optional(max_length=20, description="学位")
    staff_no: str = optional(max_length=30, description="工号/学号，全校唯一")
    unit: str = optional(max_length=100, description="所在单位")
    post: Post | None = Field(None, description="岗位/类别；null 表示未填")
    title: str = optional(max_length=50, description="职称/职务")
    enrollment_year: int | None = Field(None, description="入学年份")
    phone: str = optional(max_length=30, description="手机号码；空字符串表示删除")
    native_place: str = optional(max_length=50, description="籍贯")
    address: str = optional(max_length=200, description="家庭住址")
    organization: int = optional(description="所在党组织 id；变更须办理组织关系转接")
    party_group: int | None = Field(None, description="党小组 id；null 表示不在党小组")
    category: Category = optional(description="人员类别")
    applied_on: date | None = Field(None, description="递交入党申请书日期")
    activist_on: date | None = Field(None, description="确定为积极分子日期")
    candidate_on: date | None = Field(None, description="确定为发展对象日期")
    joined_on: date | None = Field(None, description="入党日期")
    converted_on: date | None = Field(None, description="转正日期")
    note: str = optional(max_length=2000, description="备注")

    _blank = field_validator("education", "post", "enrollment_year", "party_group", mode="before")(
        _blank_to_none
    )

    def person_data(self, organizations: dict[str, Any]) -> dict[str, Any]:
        """Only the fields the client sent; organization ids replaced by the objects."""
        data = self.model_dump(exclude_unset=True, exclude=set(ORG_FIELDS))
        for name in ("education", "post"):
            if name in data:
                data[name] = data[name] or ""
        return {**data, **organizations}


class RevealIn(InputSchema):
    field: Literal["id_number", "phone"] = Field(description="id_number 身份证号，phone 手机号码")


class OnIn(InputSchema):
    on: date = Field(description="日期")


class ReasonIn(InputSchema):
    on: date = Field(description="日期")
    reason: str = Field(max_length=200, description="原因或依据")


class LeaveIn(InputSchema):
    on: date = Field(description="出党日期")
    reason: LeaveReason = Field(description="出党方式")


class FloatingIn(InputSchema):
    destination: str = Field(max_length=100, description="外出流向（地点、单位）")
    on: date = Field(description="外出日期")
    until: date | None = Field(None, description="预计返回日期")


class LostContactIn(InputSchema):
    since: date = Field(description="失联日期")


class TransferIn(InputSchema):
    direction: Literal["internal", "outbound"] = Field(
        description="internal 校内转接（填 to_organization），outbound 转出本校（填 other_institution）"
    )
    letter_no: str = Field(max_length=50, description="介绍信编号")
    issued_on: date = Field(description="开具日期")
    to_organization: int | None = Field(
        None, description="转入党组织 id（校内转接）；可为校内任一正常状态的党支部、党总支或党委"
    )
    other_institution: str = Field("", max_length=150, description="转往的校外党组织（转出本校）")
    reason: str = Field("", max_length=200, description="转接原因")


class ReceiveIn(InputSchema):
    received_on: date = Field(description="接收日期")


class ReturnIn(InputSchema):
    returned_on: date = Field(description="退回日期")
    reason: str = Field(max_length=200, description="退回原因")


class InboundIn(PersonCreate):
    """A member arriving from another institution: their record and the letter."""

    other_institution: str = Field(max_length=150, description="转出的校外党组织")
    letter_no: str = Field(max_length=50, description="介绍信编号")
    issued_on: date | None = Field(None, description="介绍信开具日期；不填则同接收日期")
    received_on: date = Field(description="接收日期")

    def person_data(self, organizations: dict[str, Any]) -> dict[str, Any]:
        data = super().person_data(organizations)
        for name in ("other_institution", "letter_no", "issued_on", "received_on"):
            data.pop(name)
        return data


class CorrectionIn(InputSchema):
    field: str = Field(
        max_length=40,
        description="需更正的项目："
        + "、".join(f"{code} {label}" for code, label in CORRECTABLE.items()),
    )
    proposed: str = Field(max_length=200, description="应更正为")
    reason: str = Field("", max_length=500, description="说明")


class DecisionIn(InputSchema):
    accept: bool = Field(description="true 采纳（姓名、手机号码等简单项目随即更正），false 不采纳")
    response: str = Field("", max_length=500, description="处理意见；不采纳时必填")


class CadreIn(InputSchema):
    rank: CadreRank = Field(description="职级")
    position: str = Field(max_length=100, description="现任职务")
    unit: str = Field(max_length=100, description="任职单位")
    team: str = Field("", max_length=100, description="所在领导班子")
    is_university_leader: bool = Field(False, description="校领导班子成员")
    appointed_on: date | None = Field(None, description="任现职日期")
    rank_since: date | None = Field(None, description="任现职级日期")
    note: str = Field("", max_length=2000, description="备注")


# --- query ------------------------------------------------------------------------------------


def _codes(name: str) -> str:
    """The codes a PersonFilter choice accepts, for the parameter's description."""
    choices = PersonFilter.base_filters[name].extra["choices"]
    return "、".join(f"{code} {label}" for code, label in choices)


class PersonQuery(Schema):
    """Filters and page of the member list: the parameters of the list page (PersonFilter)."""

    q: str | None = Field(
        None,
        max_length=100,
        description="姓名、拼音（全拼或首字母）、工号/学号，或完整身份证号（精确匹配）",
    )
    within: int | None = Field(None, description="只列出此党组织（id）及其下级的人员")
    category: str | None = Field(None, description=f"人员类别：{_codes('category')}")
    kind: str | None = Field(None, description=f"所在支部类型：{_codes('kind')}")
    gender: str | None = Field(None, description=f"性别：{_codes('gender')}")
    ethnicity: str | None = Field(
        None, description="民族代码（GB/T 3304，如 01 汉族），或 minority 少数民族"
    )
    education: str | None = Field(None, description=f"学历：{_codes('education')}")
    post: str | None = Field(None, description=f"岗位/类别：{_codes('post')}")
    join_year: int | None = Field(None, description="入党年份")
    age_band: str | None = Field(None, description=f"年龄段：{_codes('age_band')}")
    status: str | None = Field(
        None, description=f"党籍状态，默认在册（正常和停止党籍）：{_codes('status')}"
    )
    flag: str | None = Field(None, description=f"标记：{_codes('flag')}")
    as_of: date | None = Field(None, description="截至日期：按该日的在册情况和人员类别统计")
    sort: str | None = Field(None, description=f"排序，默认按姓名拼音：{_codes('sort')}")
    limit: int = Field(50, ge=1, le=500, description="每页条数（1-500）")
    offset: int = Field(0, ge=0, description="跳过的条数")

    def filter_data(self) -> dict[str, str]:
        """The parameters as the list page's filter form receives them."""
        data = self.model_dump(exclude={"limit", "offset"}, exclude_none=True)
        return {
            name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in data.items()
        }


class TransferQuery(Schema):
    q: str | None = Field(
        None, max_length=100, description="人员姓名、拼音、工号/学号，或介绍信编号"
    )
    direction: TransferDirection | None = Field(None, description="转接类型")
    status: Literal["issued", "received", "returned"] | None = Field(
        None, description="状态：issued 待接收、received 已接收、returned 已退回"
    )
    incoming: bool | None = Field(
        None, description="true 只列出转入本人管理范围的，false 只列出转出的"
    )
    limit: int = Field(50, ge=1, le=500, description="每页条数（1-500）")
    offset: int = Field(0, ge=0, description="跳过的条数")


class CorrectionQuery(Schema):
    status: Literal["pending", "accepted", "rejected"] | None = Field(
        None, description="状态：pending 待处理、accepted 已更正、rejected 未采纳；默认全部"
    )
    limit: int = Field(50, ge=1, le=500, description="每页条数（1-500）")
    offset: int = Field(0, ge=0, description="跳过的条数")


class CadreQuery(Schema):
    q: str | None = Field(None, max_length=100, description="姓名、拼音（全拼或首字母）或工号")
    rank: CadreRank | None = Field(None, description="职级")
    status: Literal["in_office", "former", "all"] | None = Field(
        None, description="状态：in_office 在任（默认）、former 已离任、all 全部"
    )
    within: int | None = Field(None, description="只列出此党组织（id）及其下级的干部")
    limit: int = Field(50, ge=1, le=500, description="每页条数（1-500）")
    offset: int = Field(0, ge=0, description="跳过的条数")
