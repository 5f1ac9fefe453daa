"""Importing people from Excel/CSV (design.md §5): the registry, then positions and cadres.

`MemberImport` registers people ("新增") or changes those found by 身份证号 ("更新", only the
columns the file has). Every row is normalized and checked by `clean_person`, the same checks
as the form, with each field's message on its cell; duplicates are looked for in the file and
in the registry (in batches); each row's organization must lie in the user's scope. A small
file is written person by person through `register_person` / `update_person`, so each row is
audited on its own; a large one (more than `BULK_ROWS` rows) through `bulk.bulk_register`.
Either way the whole file is written in one transaction or not at all.

`PositionImport` and `CadreImport` (import_posts.py) attach committee posts and cadre records
to people already registered.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.io import normalize as n
from dangjian.core.io.columns import Column
from dangjian.core.io.importer import (
    CREATE,
    CREATED,
    UPDATED,
    WRITING,
    ImportContext,
    ImportSpec,
    Row,
    RowError,
)
from dangjian.core.scope import ADD, CHANGE, VIEW, covers
from dangjian.members import import_helpers as h
from dangjian.members.actions import register_person, update_person
from dangjian.members.bulk import bulk_register, registered, staff_numbers_in_use
from dangjian.members.choices import Education
from dangjian.members.import_posts import CadreImport, PositionImport
from dangjian.members.models import Person
from dangjian.members.validation import clean_person
from dangjian.orgs.models import Organization

DATE = n.to_date
# Fields that cannot be emptied: a blank cell in update mode leaves them as they are.
KEPT_WHEN_BLANK = ("name", "gender", "birth_date", "ethnicity", "category", "organization")


def _date(key: str, header: str, *synonyms: str, example: str = "") -> Column:
    return Column(key, header, synonyms, parse=DATE, example=example)


class MemberImport(ImportSpec):
    """People (applicants to full members), keyed by 身份证号."""

    name = "members.person"
    label = _("人员")
    model = Person
    key = "id_number"
    list_url_name = "members:list"
    # More rows than this are registered by the bulk path (one audit entry for the file).
    BULK_ROWS: ClassVar[int] = 200
    notes = (
        _(
            "所在党支部填写党组织编码或完整名称，须在您的管理范围内；党小组填写该支部下党小组的名称或编码。"
        ),
        _("性别、出生日期可不填，按身份证号确定；填写时须与身份证号一致。"),
        _("人员类别为预备党员须填写入党日期，正式党员还须填写转正日期；各日期须按先后顺序。"),
        _("身份证号、手机号码加密保存，页面上只显示部分号码。"),
        _("新增超过200人时按批量登记写入，审计日志中记为一条“批量登记人员”记录。"),
    )
    columns = (
        Column("name", "姓名", ("名字", "党员姓名"), True, n.Text(50), example="张三"),
        Column(
            "id_number",
            "身份证号",
            ("公民身份号码", "身份证号码", "证件号码", "身份证", "公民身份证号码"),
            True,
            h.id_number,
            help=_("全校唯一；“更新”方式按此列查找人员"),
            example=h.example_id_number(),
            text_format=True,
        ),
        Column(
            "gender",
            "性别",
            parse=h.GENDER,
            example="男",
            help=_("可不填，按身份证号确定"),
        ),
        Column("ethnicity", "民族", parse=h.ETHNICITY, example="汉族", help=_("不填视为汉族")),
        Column(
            "birth_date",
            "出生日期",
            ("出生年月", "出生时间", "出生年月日"),
            parse=h.birth_date,
            example="1990-03-15",
            help=_("可不填，按身份证号确定"),
        ),
        Column(
            "education", "学历", ("文化程度", "最高学历"), parse=h.EDUCATION, example="硕士研究生"
        ),
        Column("degree", "学位", ("最高学位",), parse=n.Text(20), example="硕士"),
        Column(
            "staff_no",
            "工号/学号",
            ("工号", "学号", "工号或学号", "职工号", "学工号", "教工号"),
            parse=n.Code(30),
            example="2015001",
            text_format=True,
        ),
        Column(
            "unit",
            "所在单位",
            ("单位", "工作单位", "所在院系", "院系", "学院"),
            parse=n.Text(100),
            example="文学院",
        ),
        Column(
            "post",
            "岗位",
            ("人员类别(岗位)", "人员类别（岗位）", "岗位类别", "岗位类型", "人员身份", "身份"),
            parse=h.POST,
            example="专业技术人员",
        ),
        Column(
            "category",
            "人员类别",
            ("党员类别", "党员身份", "类别", "政治面貌", "发展阶段"),
            True,
            h.CATEGORY,
            example="正式党员",
        ),
        Column(
            "organization",
            "所在党支部",
            (
                "党组织",
                "所在党组织",
                "党支部",
                "所在支部",
                "所属党组织",
                "所属党支部",
                "党组织编码",
            ),
            True,
            n.Text(100),
            help=_("党组织编码或完整名称"),
            example="C05-B012",
        ),
        Column("party_group", "党小组", ("所在党小组",), parse=n.Text(100)),
        _date(
            "applied_on",
            "递交入党申请书日期",
            "申请入党日期",
            "入党申请日期",
            "递交入党申请书时间",
            "申请入党时间",
            example="2010-10-01",
        ),
        _date(
            "activist_on",
            "确定为积极分子日期",
            "确定为入党积极分子日期",
            "列为积极分子日期",
            "确定为积极分子时间",
            example="2011-04-01",
        ),
        _date(
            "candidate_on",
            "确定为发展对象日期",
            "列为发展对象日期",
            "确定为发展对象时间",
            example="2012-05-01",
        ),
        _date(
            "joined_on",
            "入党日期",
            "加入党组织日期",
            "入党时间",
            "接收为预备党员日期",
            example="2012-06-01",
        ),
        _date("converted_on", "转正日期", "转正时间", "转为正式党员日期", example="2013-06-01"),
        Column(
            "phone",
            "手机号码",
            ("联系电话", "手机", "手机号", "电话", "联系方式", "移动电话"),
            parse=n.Text(30),
            example="13800138000",
            text_format=True,
        ),
        Column(
            "address",
            "家庭住址",
            ("住址", "家庭地址", "现住址", "通讯地址"),
            parse=n.Text(200),
            example="湖南省长沙市岳麓区麓山南路",
        ),
        Column("native_place", "籍贯", parse=n.Text(50), example="湖南长沙"),
        Column("enrollment_year", "入学年份", ("入学年度", "年级"), parse=n.Integer(1950, 2100)),
        Column(
            "title", "职称/职务", ("职称", "职务", "职称职务"), parse=n.Text(50), example="讲师"
        ),
        Column("note", "备注", ("说明",), parse=n.Text(2000, lines=True)),
    )

    # Rows ------------------------------------------------------------------------------------

    def clean_row(self, values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        """Resolve the organization and party group, then `clean_person` (create mode)."""
        data = dict(values)
        errors: dict[str, str] = {}
        lookup: h.OrgLookup = ctx.cache.setdefault("orgs", h.OrgLookup())
        if ctx.mode != CREATE:
            for name in KEPT_WHEN_BLANK:
                if name in data and data[name] in ("", None):
                    del data[name]
        if data.get("organization"):
            found = lookup.organization(data["organization"])
            action = ADD if ctx.mode == CREATE else CHANGE
            if isinstance(found, str):
                errors["organization"] = found
            elif not covers(ctx.user, Person, action, found.path):
                errors["organization"] = h.outside_scope(data["organization"])
            data["organization"] = found
        if "party_group" in data:
            group, org = data["party_group"], data.get("organization")
            data["party_group"] = None
            if group and isinstance(org, Organization):
                found = lookup.party_group(org, group)
                if isinstance(found, str):
                    errors["party_group"] = found
                else:
                    data["party_group"] = found
            elif group and ctx.mode != CREATE and "organization" not in data:
                data["party_group"] = group  # looked up in the person's branch (check_rows)
        errors.update(self._complete(data, ctx))
        if errors:
            raise RowError(errors)
        if ctx.mode != CREATE:
            return data  # checked against the stored record in check_rows
        try:
            return clean_person(data, check_unique=False)
        except DomainError as error:
            raise RowError(error.errors) from None

    def _complete(self, data: dict[str, Any], ctx: ImportContext) -> dict[str, str]:
        """Fill what the file implies: 研究生 by the degree, 出生年月 by the ID number."""
        if data.get("education") == h.GRADUATE:
            data["education"] = (
                Education.DOCTORATE if "博士" in (data.get("degree") or "") else Education.MASTER
            )
        birth = data.get("birth_date")
        number = data.get("id_number") or ""
        if not number or birth is None:
            if isinstance(birth, h.YearMonth):
                data["birth_date"] = None
            return {}
        from_id = date_from_id(number)
        header = ctx.headers.header("birth_date") if ctx.headers else ""
        if isinstance(birth, h.YearMonth):
            if birth.year == from_id.year and from_id.month in birth.months:
                data["birth_date"] = from_id
                return {}
            return {
                "birth_date": gettext("%(header)s“%(shown)s”与身份证号（%(day)s）不一致。")
                % {"header": header, "shown": birth.shown, "day": from_id.strftime("%Y-%m")}
            }
        # A 出生年月 column often holds the 1st of the month formatted as a month.
        same_month = (birth.year, birth.month) == (from_id.year, from_id.month)
        if header == "出生年月" and birth.day == 1 and same_month:
            data["birth_date"] = from_id
        return {}

    def check_rows(self, rows: list[Row], ctx: ImportContext) -> None:
        """Duplicates in the file; then against the registry (create) or the stored records."""
        self._duplicates(rows, ctx, "id_number", masked=True)
        self._duplicates(rows, ctx, "staff_no")
        if ctx.mode == CREATE:
            self._registered(rows, ctx)
        else:
            self._existing(rows, ctx)

    def _duplicates(
        self, rows: list[Row], ctx: ImportContext, key: str, masked: bool = False
    ) -> None:
        if not ctx.present(key):
            return
        header = ctx.headers.header(key) if ctx.headers else key
        seen: dict[str, int] = {}
        for row in rows:
            value = row.data.get(key)
            if not value:
                continue
            if value in seen:
                shown = h.mask(value) if masked else value
                ctx.add_error(
                    row.number,
                    key,
                    gettext("%(header)s“%(value)s”与第%(seen)s行重复。")
                    % {"header": header, "value": shown, "seen": seen[value]},
                )
            else:
                seen[value] = row.number

    def _registered(self, rows: list[Row], ctx: ImportContext) -> None:
        """People of the file who are already in the registry (by ID, by staff number)."""
        found = registered(row.data.get("id_number") or "" for row in rows)
        for row in rows:
            clash = found.get(row.data.get("id_number") or "")
            if clash is None:
                continue
            if covers(ctx.user, Person, VIEW, clash.path):
                message = gettext("该身份证号已登记（%(name)s，%(org)s）。") % {
                    "name": clash.name,
                    "org": clash.organization,
                }
            else:
                message = gettext(
                    "该身份证号已在其他党组织登记；如是转入人员，请办理组织关系转接。"
                )
            ctx.add_error(row.number, "id_number", message)
        used = staff_numbers_in_use(row.data.get("staff_no") or "" for row in rows)
        for row in rows:
            staff_no = row.data.get("staff_no")
            if staff_no and staff_no in used:
                ctx.add_error(
                    row.number,
                    "staff_no",
                    gettext("工号/学号“%(no)s”已被他人使用。") % {"no": staff_no},
                )

    def _existing(self, rows: list[Row], ctx: ImportContext) -> None:
        """Update mode: find each person (in the user's CHANGE scope) and check the new values."""
        scope = Person.objects.restrict(ctx.user, CHANGE).select_related("party_group")
        people = h.people_by_hash(
            (h.id_hash(row.data["id_number"]) for row in rows if row.data.get("id_number")), scope
        )
        for row in rows:
            number = row.data.get("id_number")
            if not number or ctx.has_errors(row.number):
                continue
            person = people.get(h.id_hash(number))
            if person is None:
                ctx.add_error(row.number, "id_number", h.not_found_by_id(number))
                continue
            row.obj = person
            data = {k: v for k, v in row.data.items() if k != "id_number"}
            org = data.get("organization")
            if org is not None and org.pk != person.organization_id:
                ctx.add_error(
                    row.number,
                    "organization",
                    gettext("“%(name)s”目前在“%(org)s”；变更所在党组织请办理组织关系转接。")
                    % {"name": person.name, "org": person.organization.name},
                )
                continue
            if isinstance(data.get("party_group"), str):
                lookup: h.OrgLookup = ctx.cache.setdefault("orgs", h.OrgLookup())
                found = lookup.party_group(person.organization, data["party_group"])
                if isinstance(found, str):
                    ctx.add_error(row.number, "party_group", found)
                    continue
                data["party_group"] = found
            try:
                row.data = clean_person(data, instance=person, check_unique=False)
            except DomainError as error:
                ctx.refuse(row, error)

    # Writing ---------------------------------------------------------------------------------

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        """Large files in create mode go through the bulk path; the rest row by row."""
        if ctx.mode == CREATE and len(rows) > self.BULK_ROWS:
            ctx.created += bulk_register(
                [row.data for row in rows],
                acting_user=ctx.user,
                source=ctx.file_name,
                progress=lambda done, total: ctx.report(WRITING, done, total),
            )
            return
        super().write(rows, ctx)

    def write_row(self, row: Row, ctx: ImportContext) -> str | None:
        if ctx.mode == CREATE:
            row.obj = register_person(row.data, acting_user=ctx.user)
            return CREATED
        person: Person = row.obj
        changed = {k: v for k, v in row.data.items() if not _same(person, k, v)}
        if not changed:
            return None
        update_person(person, changed, acting_user=ctx.user)
        return UPDATED


def date_from_id(number: str) -> date:
    """The birth date an ID number carries."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _same(person: Person, name: str, value: Any) -> bool:
    """Whether a cleaned value equals what is stored (protected values compared in plain)."""
    if name == "phone":
        return person.reveal_phone() == (value or "") if person.phone_cipher else not value
    if name in ("organization", "party_group"):
        stored = getattr(person, f"{name}_id")
        return stored == (value.pk if value is not None else None)
    return bool(getattr(person, name, None) == value)


__all__ = ["CadreImport", "MemberImport", "PositionImport"]
