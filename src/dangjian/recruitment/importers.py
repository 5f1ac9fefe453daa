"""Importing recruitment cases already under way (Excel/CSV), one row per person.

A row names a person of the registry by 身份证号 (姓名 as a check), optionally the branch that
cultivates them, then the date of each step done so far with its key fields (谈话人, 培养联系人,
入党介绍人 by name or 工号/学号; 政审结论; votes…). Only a prefix of the 25 steps is filled.
Each row goes through `actions.import_case`, which records the steps one by one with the same
checks as the forms; a refusal is marked on the cell of the failing step (its field, or its
date), every row is tried in its own savepoint, and if any row fails nothing is kept.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.io import normalize as n
from dangjian.core.io.columns import Column
from dangjian.core.io.importer import CREATED, ImportContext, ImportSpec, Row, RowError, SkipRow
from dangjian.core.scope import ADD, VIEW, covers
from dangjian.members import import_helpers as h
from dangjian.members.choices import MEMBER_CATEGORIES, ON_BOOKS
from dangjian.members.models import Person
from dangjian.orgs.models import Organization
from dangjian.recruitment import actions
from dangjian.recruitment.choices import CaseStatus
from dangjian.recruitment.models import Case
from dangjian.recruitment.steps import (
    CHECKLIST,
    DATE,
    LONG_TEXT,
    PEOPLE,
    PERSON,
    STEPS,
    FieldDef,
    step,
)

# Step dates: header, synonyms, example.
DATES: dict[int, tuple[str, tuple[str, ...], str]] = {
    1: ("申请日期", ("递交入党申请书日期", "申请入党日期", "入党申请日期", "递交申请书日期"), "2023-03-01"),
    2: ("谈话日期", ("申请人谈话日期", "派人谈话日期", "党组织谈话日期"), "2023-03-20"),
    3: ("确定积极分子日期", ("确定为积极分子日期", "确定为入党积极分子日期", "列为积极分子日期"), "2023-05-01"),
    4: ("备案日期", ("积极分子备案日期", "积极分子报备日期", "报备日期"), "2023-05-06"),
    5: ("指定培养联系人日期", ("确定培养联系人日期", "培养联系人指定日期"), "2023-05-11"),
    6: ("培养考察日期", ("考察日期", "培养教育考察日期"), ""),
    7: ("确定发展对象日期", ("确定为发展对象日期", "列为发展对象日期"), ""),
    8: ("发展对象备案日期", ("发展对象报备日期",), ""),
    9: ("确定入党介绍人日期", ("确定介绍人日期",), ""),
    10: ("政审日期", ("政治审查日期", "政审结论日期", "审查结论日期"), ""),
    11: ("培训结业日期", ("结业日期", "集中培训日期", "培训日期"), ""),
    12: ("支委会审查日期", ("支部委员会审查日期", "支部审查日期"), ""),
    13: ("预审日期", ("党委预审日期", "上级党委预审日期"), ""),
    14: ("填写志愿书日期", ("填写入党志愿书日期", "志愿书填写日期"), ""),
    15: ("支部大会日期", ("支部大会讨论日期", "接收预备党员日期", "入党日期"), ""),
    16: ("党委谈话日期", ("上级党委谈话日期", "党委派人谈话日期"), ""),
    17: ("审批日期", ("党委审批日期", "上级党委审批日期", "预备党员审批日期"), ""),
    18: ("审批备案日期", ("报上级备案日期", "报再上一级备案日期"), ""),
    19: ("编入党支部日期", ("编入日期", "编入党小组日期"), ""),
    20: ("入党宣誓日期", ("宣誓日期",), ""),
    21: ("预备期考察日期", ("继续教育考察日期",), ""),
    22: ("转正申请日期", ("提出转正申请日期", "递交转正申请日期"), ""),
    23: ("转正大会日期", ("讨论转正日期", "支部大会讨论转正日期", "转正会议日期"), ""),
    24: ("转正审批日期", ("上级党委审批转正日期", "党委审批转正日期"), ""),
    25: ("归档日期", ("材料归档日期",), ""),
}  # fmt: skip

VOTES = {
    "should_attend": ("应到", ("应到人数", "应到党员", "应到有表决权党员")),
    "present": ("实到", ("实到人数", "实到党员", "实到有表决权党员")),
    "votes_for": ("赞成", ("赞成票", "赞成票数")),
    "votes_against": ("反对", ("反对票", "反对票数")),
    "votes_abstain": ("弃权", ("弃权票", "弃权票数")),
}
# Step fields: header, synonyms, example (fields not listed take their label as header).
FIELDS: dict[tuple[int, str], tuple[str, tuple[str, ...], str]] = {
    (1, "received_by"): ("接收申请的党组织", ("接收申请党组织",), ""),
    (2, "talker"): ("谈话人", ("申请人谈话人",), "王五"),
    (2, "summary"): ("谈话情况", ("谈话内容",), ""),
    (3, "source"): ("推荐方式", ("推优方式", "积极分子推荐方式"), "团组织推优"),
    (3, "decided_by"): ("积极分子决定会议", ("确定积极分子会议",), "支部委员会"),
    (3, "notice_from"): ("积极分子公示开始日期", (), ""),
    (3, "notice_to"): ("积极分子公示结束日期", (), ""),
    (5, "mentors"): ("培养联系人", ("联系人",), "赵六、钱七"),
    (6, "conclusion"): ("考察意见", ("培养考察意见",), ""),
    (6, "thought_reports"): ("思想汇报份数", ("思想汇报", "思想汇报（份）"), ""),
    (7, "opinions"): ("听取意见情况", ("听取意见",), ""),
    (7, "decided_by"): ("发展对象决定会议", ("确定发展对象会议",), ""),
    (7, "notice_from"): ("发展对象公示开始日期", (), ""),
    (7, "notice_to"): ("发展对象公示结束日期", (), ""),
    (9, "introducers"): ("入党介绍人", ("介绍人",), ""),
    (10, "conclusion"): ("政审结论", ("政治审查结论",), ""),
    (10, "report"): ("政治审查综合材料", ("政审材料", "政审情况"), ""),
    (11, "course"): ("培训班名称", ("培训班",), ""),
    (11, "days"): ("培训天数", ("天数",), ""),
    (11, "hours"): ("培训学时", ("学时",), ""),
    (11, "certificate_no"): ("结业证书编号", ("结业证编号",), ""),
    (12, "opinion"): ("支委会审查意见", ("支部委员会审查意见", "支部审查意见"), ""),
    (13, "notice_from"): ("预审公示开始日期", ("公示开始日期",), ""),
    (13, "notice_to"): ("预审公示结束日期", ("公示结束日期",), ""),
    (13, "opinion"): ("预审意见", (), ""),
    (14, "form_no"): ("入党志愿书编号", ("志愿书编号",), ""),
    **{(15, k): (header, synonyms, "") for k, (header, synonyms) in VOTES.items()},
    (16, "talker"): ("党委谈话人", ("上级党委谈话人",), ""),
    (16, "summary"): ("党委谈话情况", (), ""),
    (17, "approved_by"): ("审批党组织", ("审批单位",), ""),
    (17, "document_no"): ("批复文号", ("审批文号",), ""),
    (19, "party_group"): ("编入党小组", ("党小组",), ""),
    (20, "led_by"): ("领誓人", (), ""),
    (21, "conclusion"): ("预备期考察意见", ("继续教育考察意见",), ""),
    (23, "outcome"): ("转正决议", ("转正结果", "决议"), ""),
    (23, "extension_months"): ("延长月数", ("延长预备期月数", "延长预备期（月）", "延长预备期"), ""),
    **{
        (23, k): (f"转正{header}", tuple(f"转正{s}" for s in synonyms), "")
        for k, (header, synonyms) in VOTES.items()
    },
    (24, "approved_by"): ("转正审批党组织", ("转正审批单位",), ""),
    (24, "document_no"): ("转正批复文号", ("转正审批文号",), ""),
    (25, "archived_at"): ("档案存放处", ("档案存放地点",), ""),
}  # fmt: skip
NAMES = re.compile(r"[、,，;；/\s]+")


def date_key(number: int) -> str:
    return f"s{number}"


def field_key(number: int, name: str) -> str:
    return f"s{number}.{name}"


def _parser(spec: FieldDef) -> Any:
    if spec.kind == DATE:
        return n.to_date
    if spec.kind == LONG_TEXT:
        return n.Text(5000, lines=True)
    return n.Text(200)


def _columns() -> tuple[Column, ...]:
    columns = [
        Column("name", "姓名", ("名字", "申请人姓名"), True, n.Text(50), example="张三"),
        Column(
            "id_number",
            "身份证号",
            ("公民身份号码", "身份证号码", "证件号码", "身份证"),
            True,
            h.id_number,
            help=_("须已在党员名册中登记"),
            example=h.example_id_number(),
            text_format=True,
        ),
        Column(
            "organization",
            "党支部",
            ("培养党支部", "所在党支部", "党组织", "所在党组织", "党组织编码"),
            parse=n.Text(100),
            help=_("党组织编码或完整名称；不填为该人员所在党支部"),
            example="C05-B012",
        ),
    ]
    for definition in STEPS:
        header, synonyms, example = DATES[definition.number]
        columns.append(
            Column(
                date_key(definition.number),
                header,
                synonyms,
                definition.number == 1,
                n.to_date,
                help=format_lazy(
                    _("第{n}步：{label}"), n=definition.number, label=definition.label
                ),
                example=example,
            )
        )
        for spec in definition.fields:
            if spec.kind == CHECKLIST:
                continue
            header, synonyms, example = FIELDS.get(
                (definition.number, spec.name), (str(spec.label), (), "")
            )
            columns.append(
                Column(
                    field_key(definition.number, spec.name),
                    header,
                    synonyms,
                    parse=_parser(spec),
                    help=spec.help
                    or (_("姓名或工号/学号") if spec.kind in (PERSON, PEOPLE) else ""),
                    example=example,
                )
            )
    return tuple(columns)


class CaseImport(ImportSpec):
    """Recruitment cases begun before the system (历史数据), keyed by the person."""

    name = "recruitment.case"
    label = _("发展党员档案")
    model = Case
    list_url_name = "recruitment:list"
    notes = (
        _("每行一人，人员须已在党员名册中登记且在您的管理范围内，目前没有进行中的发展党员档案。"),
        _("从申请日期起按顺序填写已完成步骤的日期，未完成的步骤留空；填写了日期的步骤，其必填内容也须填写。"),
        _("每一步按与逐条登记相同的规则检查（顺序、日期、间隔、介绍人等）；有任何错误时整个文件都不导入。"),
        _("谈话人、培养联系人、入党介绍人填写党员的姓名或工号/学号，多人用顿号分隔；重名时请填写工号/学号。"),
        _("需上级审核的步骤（备案、预审、审批）按已审核通过导入。"),
    )  # fmt: skip
    columns = _columns()

    def clean_row(self, values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        """Collect the filled steps; a step's fields without its date is an error."""
        errors: dict[str, str] = {}
        steps: list[tuple[int, Any, dict[str, Any]]] = []
        for definition in STEPS:
            number = definition.number
            day = values.get(date_key(number))
            fields = {
                spec.name: values[field_key(number, spec.name)]
                for spec in definition.fields
                if values.get(field_key(number, spec.name)) not in (None, "")
            }
            if day is None:
                if fields:
                    first = field_key(number, next(iter(fields)))
                    errors[date_key(number)] = gettext(
                        "填写了“%(field)s”，请同时填写%(date)s。"
                    ) % {
                        "field": ctx.headers.header(first) if ctx.headers else first,
                        "date": ctx.headers.header(date_key(number)) if ctx.headers else "",
                    }
                continue
            steps.append((number, day, fields))
        org_text = values.get("organization")
        if org_text:
            lookup: h.OrgLookup = ctx.cache.setdefault("orgs", h.OrgLookup())
            found = lookup.organization(org_text)
            if isinstance(found, str):
                errors["organization"] = found
            elif not covers(ctx.user, Case, ADD, found.path):
                errors["organization"] = h.outside_scope(org_text)
            else:
                values["organization"] = found
        if errors:
            raise RowError(errors)
        return {
            "name": values.get("name", ""),
            "id_number": values["id_number"],
            "organization": values.get("organization") or None,
            "steps": steps,
        }

    def check_rows(self, rows: list[Row], ctx: ImportContext) -> None:
        """Find each person (in scope, once in the file, free to start a case) and the
        members the row names."""
        seen: dict[int, int] = {}
        for row in rows:
            if ctx.has_errors(row.number) or "steps" not in row.data:
                continue
            person = self._person(row, ctx)
            if person is None:
                continue
            if person.pk in seen:
                ctx.add_error(
                    row.number,
                    "id_number",
                    gettext("%(name)s与第%(row)s行是同一人。")
                    % {"name": person.name, "row": seen[person.pk]},
                )
                continue
            seen[person.pk] = row.number
            org = row.data["organization"] or person.organization
            if row.data["organization"] is None and not covers(ctx.user, Case, ADD, org.path):
                ctx.add_error(row.number, "id_number", h.not_found_by_id(row.data["id_number"]))
                continue
            row.obj, row.data["organization"] = person, org
            self._resolve_people(row, org, ctx)

    def _person(self, row: Row, ctx: ImportContext) -> Person | None:
        number = row.data["id_number"]
        person = (
            Person.objects.with_id_number(number)
            .restrict(ctx.user, VIEW)
            .select_related("organization")
            .first()
        )
        problem = ""
        if person is None:
            problem = h.not_found_by_id(number)
        elif person.category in MEMBER_CATEGORIES:
            problem = gettext("%(name)s已是党员，不能建立发展档案。") % {"name": person.name}
        elif person.status not in ON_BOOKS:
            problem = gettext("%(name)s不在册，不能建立发展档案。") % {"name": person.name}
        elif Case.objects.filter(person=person, status=CaseStatus.OPEN).exists():
            problem = gettext("%(name)s已有进行中的发展党员档案。") % {"name": person.name}
        if problem:
            ctx.add_error(row.number, "id_number", problem)
            return None
        assert person is not None
        if row.data["name"] and row.data["name"] != person.name:
            ctx.add_error(
                row.number,
                "name",
                gettext("姓名“%(name)s”与登记的姓名（%(registered)s）不一致。")
                % {"name": row.data["name"], "registered": person.name},
            )
            return None
        return person

    def _resolve_people(self, row: Row, org: Organization, ctx: ImportContext) -> None:
        """Names or staff numbers of talkers, mentors and introducers → person ids."""
        for number, _day, fields in row.data["steps"]:
            for spec in step(number).fields:
                if spec.kind not in (PERSON, PEOPLE) or spec.name not in fields:
                    continue
                ids: list[int] = []
                for token in NAMES.split(str(fields[spec.name])):
                    if not token:
                        continue
                    found = self._member(token, org, ctx)
                    if isinstance(found, str):
                        ctx.add_error(row.number, field_key(number, spec.name), found)
                        break
                    ids.append(found)
                else:
                    if spec.kind == PERSON and len(ids) > 1:
                        ctx.add_error(
                            row.number, field_key(number, spec.name), gettext("只能填写一人。")
                        )
                    fields[spec.name] = ids[0] if spec.kind == PERSON and ids else ids

    def _member(self, token: str, org: Organization, ctx: ImportContext) -> int | str:
        """A registered person by 工号/学号, else by name in the branch, else in the user's
        scope; the Chinese reason when none or several are found."""
        cache: dict[tuple[str, int], int | str] = ctx.cache.setdefault("members", {})
        key = (token, org.pk)
        if key not in cache:
            by_staff = list(Person.objects.filter(staff_no=token).values_list("pk", flat=True)[:2])
            cache[key] = by_staff[0] if len(by_staff) == 1 else self._by_name(token, org, ctx)
        return cache[key]

    def _by_name(self, token: str, org: Organization, ctx: ImportContext) -> int | str:
        named = Person.objects.filter(name=token, status__in=ON_BOOKS)
        for queryset in (named.filter(organization=org), named.restrict(ctx.user, VIEW)):
            found = list(queryset.values_list("pk", flat=True)[:2])
            if len(found) == 1:
                return found[0]
            if found:
                return gettext("有多人名为“%(name)s”，请改填工号/学号。") % {"name": token}
        return gettext("未找到“%(name)s”，请填写已登记党员的姓名或工号/学号。") % {"name": token}

    def write_row(self, row: Row, ctx: ImportContext) -> str | None:
        """The case and its steps through `import_case`, in a savepoint of its own."""
        try:
            with transaction.atomic():
                row.obj = actions.import_case(
                    row.obj,
                    row.data["steps"],
                    organization=row.data["organization"],
                    acting_user=ctx.user,
                )
        except actions.StepRefused as error:
            self._mark(row, error.step, error, ctx)
            raise SkipRow from None
        return CREATED

    def _mark(self, row: Row, number: int, error: DomainError, ctx: ImportContext) -> None:
        """Each message on the cell of the step's field, else of the step's date."""
        names = {spec.name for spec in step(number).fields}
        for name, message in error.errors.items():
            key = field_key(number, name) if name in names else date_key(number)
            if name == "organization" and ctx.present("organization"):
                key = "organization"
            if not ctx.present(key):
                key = date_key(number)
            ctx.add_error(row.number, key if ctx.present(key) else None, message)


__all__ = ["CaseImport"]
