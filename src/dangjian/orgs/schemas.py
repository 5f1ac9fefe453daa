"""Request and response schemas of the organization API (/api/v1/organizations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from dangjian.orgs.choices import Kind, Level, Position, Status


class InputSchema(Schema):
    """Request bodies refuse unknown fields, so a misspelt field is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


# --- output -----------------------------------------------------------------------------------


class OrganizationOut(Schema):
    """One organization as it appears in lists."""

    id: int
    name: str = Field(description="名称")
    short_name: str = Field(description="简称")
    code: str = Field(description="组织编码，全校唯一")
    level: Level = Field(description="层级")
    level_label: str = Field(description="层级（中文）")
    kind: Kind | None = Field(description="类型（党支部按党员构成）；未区分时为 null")
    kind_label: str = Field(description="类型（中文）")
    unit: str = Field(description="所在单位")
    parent: int | None = Field(description="上级党组织 id；高校党委为 null")
    depth: int = Field(description="在组织树中的层次：高校党委为 1")
    status: Status = Field(description="状态")
    status_label: str = Field(description="状态（中文）")
    founded_on: date | None = Field(description="成立日期")
    dissolved_on: date | None = Field(description="撤销或合并日期")
    merged_into: int | None = Field(description="并入的党组织 id")
    is_joint: bool = Field(description="联合党支部")
    joint_units: int | None = Field(description="联合单位数")
    is_model_branch: bool = Field(description="样板支部")
    is_benchmark_department: bool = Field(description="标杆院系")
    is_dual_leader_studio: bool = Field(description="“双带头人”书记工作室")

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_kind(obj: Any) -> str | None:
        return obj.kind or None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display()) if obj.kind else ""

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_parent(obj: Any) -> int | None:
        return getattr(obj, "parent_pk", None)

    @staticmethod
    def resolve_merged_into(obj: Any) -> int | None:
        return obj.merged_into_id  # type: ignore[no-any-return]


class OrganizationPage(Schema):
    """A page of the organization list."""

    count: int = Field(description="符合条件的党组织总数")
    items: list[OrganizationOut]


class CommitteeMemberOut(Schema):
    """A member of a committee term."""

    id: int
    name: str = Field(description="姓名")
    position: Position = Field(description="职务")
    position_label: str = Field(description="职务（中文）")
    user: int | None = Field(description="对应账号 id")
    started_on: date | None = Field(description="任职日期")
    ended_on: date | None = Field(description="离任日期；在任为 null")

    @staticmethod
    def resolve_position_label(obj: Any) -> str:
        return str(obj.get_position_display())

    @staticmethod
    def resolve_user(obj: Any) -> int | None:
        return obj.user_id  # type: ignore[no-any-return]


class TermOut(Schema):
    """One committee term (届) with its members."""

    id: int
    number: int = Field(description="届次")
    elected_on: date = Field(description="选举日期")
    term_years: int = Field(description="任期（年）")
    ends_on: date = Field(description="任期届满日期")
    closed_on: date | None = Field(description="换届日期；本届为 null")
    is_current: bool = Field(description="是否为本届")
    note: str = Field(description="备注")
    members: list[CommitteeMemberOut] = Field(description="委员")

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(obj.members.all())


class WarningOut(Schema):
    """A structure warning (size, committee, overdue re-election)."""

    code: str = Field(description="规则编码")
    message: str = Field(description="提示")
    severe: bool = Field(description="是否严重")


class OrganizationDetail(OrganizationOut):
    """One organization with its contact data, current committee and structure warnings."""

    phone: str = Field(description="联系电话")
    note: str = Field(description="备注")
    dissolution_reason: str = Field(description="撤销原因")
    children_count: int = Field(description="直属下级党组织数（含已撤销）")
    member_count: int | None = Field(
        description="本组织及下级的党员人数；党员名册未启用时为 null（无数据，不是 0）"
    )
    current_term: TermOut | None = Field(description="本届委员会；未登记时为 null")
    warnings: list[WarningOut] = Field(description="组织设置提示")
    created_at: datetime = Field(description="创建时间")
    updated_at: datetime = Field(description="修改时间")


# --- input ------------------------------------------------------------------------------------


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


class OrganizationCreate(InputSchema):
    """Fields of a new organization; it is placed under `parent`."""

    parent: int = Field(description="上级党组织 id")
    name: str = Field(max_length=100, description="名称")
    short_name: str = Field("", max_length=50, description="简称")
    code: str = Field(max_length=40, description="组织编码，全校唯一")
    level: Level = Field(description="层级")
    kind: Kind | None = Field(None, description="类型；党委、党总支可不填")
    unit: str = Field("", max_length=100, description="所在单位")
    founded_on: date | None = Field(None, description="成立日期")
    is_joint: bool = Field(False, description="联合党支部")
    joint_units: int | None = Field(None, ge=1, le=99, description="联合单位数")
    is_model_branch: bool = Field(False, description="样板支部")
    is_benchmark_department: bool = Field(False, description="标杆院系")
    is_dual_leader_studio: bool = Field(False, description="“双带头人”书记工作室")
    phone: str = Field("", max_length=30, description="联系电话")
    note: str = Field("", max_length=2000, description="备注")

    _kind = field_validator("kind", mode="before")(_blank_to_none)

    def action_data(self) -> dict[str, Any]:
        """The fields the create action takes (without the parent)."""
        data = self.model_dump(exclude={"parent"})
        data["kind"] = data["kind"] or ""
        return data


def optional(**kwargs: Any) -> Any:
    """A field a PATCH may leave out; when sent, it must have a value of its type (not null)."""
    return Field(None, **kwargs)


class OrganizationUpdate(InputSchema):
    """Changed fields only; a field left out keeps its value."""

    name: str = optional(max_length=100, description="名称")
    short_name: str = optional(max_length=50, description="简称")
    code: str = optional(max_length=40, description="组织编码，全校唯一")
    level: Level = optional(description="层级（调整层级须由上级党组织办理）")
    kind: Kind | None = Field(None, description="类型；null 表示不区分")
    unit: str = optional(max_length=100, description="所在单位")
    founded_on: date | None = Field(None, description="成立日期")
    is_joint: bool = optional(description="联合党支部")
    joint_units: int | None = Field(None, ge=1, le=99, description="联合单位数")
    is_model_branch: bool = optional(description="样板支部")
    is_benchmark_department: bool = optional(description="标杆院系")
    is_dual_leader_studio: bool = optional(description="“双带头人”书记工作室")
    phone: str = optional(max_length=30, description="联系电话")
    note: str = optional(max_length=2000, description="备注")

    _kind = field_validator("kind", mode="before")(_blank_to_none)

    def action_data(self) -> dict[str, Any]:
        """Only the fields the client sent."""
        data = self.model_dump(exclude_unset=True)
        if "kind" in data:
            data["kind"] = data["kind"] or ""
        return data


class MoveIn(InputSchema):
    parent: int = Field(description="新的上级党组织 id")


class MergeIn(InputSchema):
    into: int = Field(description="并入的党组织 id（同一层级）")
    on: date = Field(description="合并日期")


class DissolveIn(InputSchema):
    on: date = Field(description="撤销日期")
    reason: str = Field(max_length=200, description="撤销原因")


class TermIn(InputSchema):
    elected_on: date = Field(description="选举日期")
    term_years: int | None = Field(
        None,
        ge=1,
        le=10,
        description="任期（年）；不填则按规则默认：基层党委5年，党总支、党支部3年",
    )
    note: str = Field("", max_length=200, description="备注")


# --- query ------------------------------------------------------------------------------------

FlagName = Literal["model", "benchmark", "studio", "joint"]
FLAG_FIELDS: dict[str, str] = {
    "model": "is_model_branch",
    "benchmark": "is_benchmark_department",
    "studio": "is_dual_leader_studio",
    "joint": "is_joint",
}


class OrganizationQuery(Schema):
    """Filters and page of the organization list."""

    q: str | None = Field(
        None, max_length=100, description="名称、简称、拼音（全拼或首字母）或组织编码"
    )
    level: Level | None = Field(None, description="层级")
    kind: Kind | None = Field(None, description="类型")
    status: Status | None = Field(None, description="状态")
    within: int | None = Field(None, description="只列出此党组织（id）及其全部下级")
    parent: int | None = Field(None, description="只列出此党组织（id）的直属下级")
    as_of: date | None = Field(None, description="只列出该日期存在的党组织（已成立、未撤销）")
    flag: FlagName | None = Field(
        None,
        description="创建标识：model 样板支部，benchmark 标杆院系，studio 双带头人工作室，joint 联合党支部",
    )
    limit: int = Field(50, ge=1, le=500, description="每页条数（1-500）")
    offset: int = Field(0, ge=0, description="跳过的条数")
