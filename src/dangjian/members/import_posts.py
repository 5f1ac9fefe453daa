"""Importing committee posts and cadre records of people already in the registry.

A row names its person by 身份证号 or 工号/学号 (and, if the file has it, 姓名 as a check). Posts
go to a committee term through `orgs.actions.add_committee_member` (and `end_committee_post`
when a 离任日期 is given); cadre records through `members.actions.save_cadre`.
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
    CREATED,
    UPDATED,
    ImportContext,
    ImportSpec,
    Row,
    RowError,
)
from dangjian.core.scope import CHANGE
from dangjian.members import import_helpers as h
from dangjian.members.actions import CADRE_FIELDS, save_cadre
from dangjian.members.choices import CadreStatus
from dangjian.members.models import Cadre, Person
from dangjian.orgs import actions as org_actions
from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization

ID_SYNONYMS = ("公民身份号码", "身份证号码", "证件号码", "身份证")
STAFF_SYNONYMS = ("工号", "学号", "工号或学号", "职工号", "教工号")


def _person_columns() -> tuple[Column, ...]:
    return (
        Column(
            "id_number",
            "身份证号",
            ID_SYNONYMS,
            parse=h.id_number,
            example=h.example_id_number(),
            help=_("身份证号、工号/学号至少填一项"),
            text_format=True,
        ),
        Column("staff_no", "工号/学号", STAFF_SYNONYMS, parse=n.Code(30), text_format=True),
        Column("name", "姓名", ("名字",), parse=n.Text(50), example="张三", help=_("用于核对")),
    )


class PositionImport(ImportSpec):
    """Committee posts (书记、委员 …) of registered people."""

    name = "members.position"
    label = _("党内职务")
    model = Person
    list_url_name = "members:list"
    url_name = "position_import"
    url_prefix = "positions/import/"
    field_columns: ClassVar[dict[str, str]] = {"on": "ended_on", "name": "name"}
    notes = (
        _("人员须已登记，且在该党组织（或其下级组织）的名册中；届次不填为目前在任的一届。"),
        _("填写离任日期的行：如该人员在本届已任此职务，则登记其离任；否则登记任职后再登记离任。"),
    )
    columns = (
        *_person_columns(),
        Column(
            "organization",
            "党组织编码",
            ("组织编码", "党组织", "所在党组织", "党支部", "党组织名称"),
            True,
            n.Text(100),
            help=_("党组织编码或完整名称"),
            example="C05-B012",
        ),
        Column(
            "position", "职务", ("党内职务", "委员职务", "任职"), True, h.POSITION, example="书记"
        ),
        Column("term_number", "届次", ("第几届",), parse=h.term_number),
        Column("started_on", "任职日期", ("任职时间", "任职起始日期"), parse=n.to_date),
        Column("ended_on", "离任日期", ("离任时间", "免职日期"), parse=n.to_date),
    )

    def clean_row(self, values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        errors = h.require_person_key(values)
        started, ended = values.get("started_on"), values.get("ended_on")
        if started and ended and ended < started:
            errors["ended_on"] = gettext("离任日期不能早于任职日期。")
        lookup: h.OrgLookup = ctx.cache.setdefault("orgs", h.OrgLookup())
        org = lookup.organization(values["organization"])
        if isinstance(org, str):
            errors["organization"] = org
        elif not org_actions.may(ctx.user, CHANGE, org, strictly_below=False):
            errors["organization"] = h.outside_scope(values["organization"])
        else:
            term = self._term(org, values.get("term_number"), ctx)
            if isinstance(term, str):
                errors["term_number" if values.get("term_number") else "organization"] = term
            values["term"] = term
        if errors:
            raise RowError(errors)
        values["organization"] = org
        return values

    def _term(self, org: Organization, number: int | None, ctx: ImportContext) -> Any:
        """The term named by 届次, or the current one; a Chinese reason when there is none."""
        terms: dict[tuple[int, int | None], Any] = ctx.cache.setdefault("terms", {})
        key = (org.pk, number)
        if key not in terms:
            found = CommitteeTerm.objects.filter(organization=org)
            term = (
                found.filter(number=number).first()
                if number
                else found.filter(closed_on__isnull=True).first()
            )
            if term is not None:
                terms[key] = term
            elif number:
                terms[key] = gettext("“%(org)s”没有第%(n)s届委员会。") % {
                    "org": org.name,
                    "n": number,
                }
            else:
                terms[key] = gettext(
                    "“%(org)s”目前没有在任的委员会，请先登记换届，或填写届次。"
                ) % {"org": org.name}
        return terms[key]

    def check_rows(self, rows: list[Row], ctx: ImportContext) -> None:
        h.find_people(rows, ctx)
        seen: dict[tuple[int, int, str], int] = {}
        for row in rows:
            person: Person | None = row.obj
            if person is None or ctx.has_errors(row.number):
                continue
            org: Organization = row.data["organization"]
            if not person.organization.path.startswith(org.path):
                ctx.add_error(
                    row.number,
                    "organization",
                    gettext("%(name)s不在“%(org)s”（或其下级组织）的名册中。")
                    % {"name": person.name, "org": org.name},
                )
                continue
            key = (row.data["term"].pk, person.pk, row.data["position"])
            if key in seen:
                ctx.add_error(
                    row.number,
                    "position",
                    gettext("与第%(row)s行是同一人在同一届的同一职务。") % {"row": seen[key]},
                )
            seen[key] = row.number

    def write_row(self, row: Row, ctx: ImportContext) -> str:
        term: CommitteeTerm = row.data["term"]
        person: Person = row.obj
        position, ended = row.data["position"], row.data.get("ended_on")
        holding = CommitteeMember.objects.filter(
            term=term, person=person, position=position, ended_on__isnull=True
        ).first()
        if holding is not None:
            if ended is None:
                raise DomainError(
                    {
                        "position": gettext("%(name)s已是本届委员会的%(position)s。")
                        % {"name": person.name, "position": holding.get_position_display()}
                    }
                )
            org_actions.end_committee_post(holding, on=ended, acting_user=ctx.user)
            return UPDATED
        data = {"person": person, "position": position, "started_on": row.data.get("started_on")}
        member = org_actions.add_committee_member(term, data, acting_user=ctx.user)
        if ended is not None:
            org_actions.end_committee_post(member, on=ended, acting_user=ctx.user)
        return CREATED


class CadreImport(ImportSpec):
    """Cadre records (rank, post, unit, leadership team) of registered people."""

    name = "members.cadre"
    label = _("干部")
    model = Cadre
    list_url_name = "members:cadres"
    url_name = "cadre_import"
    url_prefix = "cadres/import/"
    notes = (_("人员须已登记；已有干部信息的人员按本表更新（表中没有的列保持不变）。"),)
    columns = (
        *_person_columns(),
        Column("rank", "职级", ("干部职级", "级别"), True, h.RANK, example="正处级"),
        Column("position", "现任职务", ("职务", "现职务"), True, n.Text(100), example="文学院院长"),
        Column("unit", "任职单位", ("单位", "工作单位"), True, n.Text(100), example="文学院"),
        Column("team", "所在领导班子", ("领导班子",), parse=n.Text(100), example="文学院领导班子"),
        Column(
            "is_university_leader",
            "是否校领导",
            ("校领导", "校领导班子成员", "是否校领导班子成员"),
            parse=n.Boolean(),
            example="否",
        ),
        Column(
            "appointed_on", "任现职日期", ("任现职时间",), parse=n.to_date, example="2021-07-01"
        ),
        Column(
            "rank_since", "任现职级日期", ("任现职级时间",), parse=n.to_date, example="2021-07-01"
        ),
        Column("note", "备注", ("说明",), parse=n.Text(2000, lines=True)),
    )

    def clean_row(self, values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        errors = h.require_person_key(values)
        today = date.today()
        for name in ("appointed_on", "rank_since"):
            if values.get(name) and values[name] > today:
                errors[name] = gettext("日期不能晚于今天。")
        if errors:
            raise RowError(errors)
        return values

    def check_rows(self, rows: list[Row], ctx: ImportContext) -> None:
        h.find_people(rows, ctx)
        seen: dict[int, int] = {}
        for row in rows:
            if row.obj is None:
                continue
            if row.obj.pk in seen:
                ctx.add_error(
                    row.number,
                    "id_number" if ctx.present("id_number") else "staff_no",
                    gettext("与第%(row)s行是同一人。") % {"row": seen[row.obj.pk]},
                )
            seen[row.obj.pk] = row.number

    def write_row(self, row: Row, ctx: ImportContext) -> str | None:
        person: Person = row.obj
        cadre = Cadre.objects.filter(person=person).first()
        fields = CADRE_FIELDS
        data = {name: getattr(cadre, name) for name in fields} if cadre else {}
        data.update({name: row.data[name] for name in fields if ctx.present(name)})
        if (
            cadre is not None
            and cadre.status == CadreStatus.IN_OFFICE
            and all(getattr(cadre, name) == value for name, value in data.items())
        ):
            return None
        save_cadre(person, data, acting_user=ctx.user)
        return UPDATED if cadre is not None else CREATED


__all__ = ["CadreImport", "PositionImport"]
