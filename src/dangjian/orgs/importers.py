"""Importing organizations from Excel/CSV (design.md §5), through the organization actions.

A file may set up a whole subtree at once: a row's parent is either an existing organization
where the user may add organizations, or another row of the same file, so rows are written
parents first. "Update" mode finds each organization by its code and changes the columns the
file has; it does not move organizations (that is the "调整隶属关系" page's job).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.io import normalize as n
from dangjian.core.io.columns import Column
from dangjian.core.io.importer import (
    CREATE,
    CREATED,
    UPDATED,
    ImportContext,
    ImportSpec,
    Row,
    SkipRow,
)
from dangjian.core.scope import ADD, CHANGE
from dangjian.orgs import actions
from dangjian.orgs.choices import Kind, Level
from dangjian.orgs.models import Organization

LEVEL_SYNONYMS = {
    "学校党委": Level.UNIVERSITY_COMMITTEE,
    "校党委": Level.UNIVERSITY_COMMITTEE,
    "党委": Level.COMMITTEE,
    "二级党委": Level.COMMITTEE,
    "院系党委": Level.COMMITTEE,
    "总支": Level.GENERAL_BRANCH,
    "党总支部": Level.GENERAL_BRANCH,
    "支部": Level.BRANCH,
    "临时支部": Level.TEMPORARY_BRANCH,
    "小组": Level.PARTY_GROUP,
}
KIND_SYNONYMS = {
    "教工": Kind.TEACHER,
    "教师": Kind.TEACHER,
    "本科": Kind.UNDERGRADUATE,
    "硕士研究生": Kind.GRADUATE,
    "博士研究生": Kind.GRADUATE,
    "行政机关": Kind.ADMIN,
    "退休": Kind.RETIRED,
    "离退休教职工": Kind.RETIRED,
    "混合": Kind.MIXED,
    "师生": Kind.MIXED,
}
CHUNK = 500


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """Lists of at most `size` values, for `__in` lookups that stay under database limits."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _by_code(queryset: Any, codes: Iterable[str]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    for batch in chunks(sorted(set(codes))):
        found.update((org.code, org) for org in queryset.filter(code__in=batch))
    return found


class OrganizationImport(ImportSpec):
    """Organizations, keyed by 组织编码."""

    name = "orgs.organization"
    label = _("党组织")
    model = Organization
    key = "code"
    list_url_name = "orgs:list"
    field_columns: ClassVar[dict[str, str]] = {"parent": "parent_code"}
    notes = (
        _(
            "上级组织须是您有权设立下级组织的已有党组织，或本表中的另一行（系统会先设立上级，再设立下级）。"
        ),
        _("高校党委由系统初始化命令创建，不能导入。"),
    )
    columns = (
        Column(
            "code",
            "组织编码",
            synonyms=("编码", "组织代码", "党组织编码", "党组织代码"),
            required=True,
            parse=n.Code(40),
            example="C05-B012",
            help=_("全校唯一，更新方式按此列查找党组织"),
        ),
        Column(
            "name",
            "名称",
            synonyms=("组织名称", "党组织名称", "全称"),
            required=True,
            parse=n.Text(100),
            help=_("党组织全称"),
            example="文学院教工第二党支部",
        ),
        Column(
            "short_name",
            "简称",
            synonyms=("组织简称",),
            parse=n.Text(50),
            example="文学院教工二支部",
        ),
        Column(
            "level",
            "层级",
            synonyms=("组织层级", "级别", "组织级别"),
            required=True,
            parse=n.Choice(Level.choices, LEVEL_SYNONYMS),
            example="党支部",
        ),
        Column(
            "kind",
            "类型",
            synonyms=("支部类型", "组织类型", "党支部类型"),
            parse=n.Choice(Kind.choices, KIND_SYNONYMS),
            example="教职工",
            help=_("党支部按党员构成填写；党委、党总支可不填"),
        ),
        Column(
            "parent_code",
            "上级组织编码",
            synonyms=("上级编码", "上级党组织编码", "上级组织代码"),
            required=True,
            parse=n.Code(40),
            example="C05",
            help=_("上级党组织的组织编码（新增时必填；更新时只核对，不调整隶属关系）"),
        ),
        Column(
            "unit",
            "所在单位",
            synonyms=("单位", "所属单位", "院系"),
            parse=n.Text(100),
            example="文学院",
        ),
        Column(
            "founded_on",
            "成立日期",
            synonyms=("成立时间", "设立日期"),
            parse=n.to_date,
            help=_("不能晚于今天"),
            example="2023-07-01",
        ),
        Column(
            "is_joint",
            "联合党支部",
            synonyms=("是否联合党支部", "联合支部"),
            parse=n.Boolean(),
            help=_("只有党支部可以是联合党支部"),
            example="否",
        ),
        Column(
            "joint_units",
            "联合单位数",
            synonyms=("联合单位数量",),
            parse=n.Integer(1, 1000),
            help=_("联合党支部涵盖的单位数，一般不超过5个"),
        ),
        Column(
            "is_model_branch",
            "样板支部",
            synonyms=("是否样板支部",),
            parse=n.Boolean(),
            example="否",
        ),
        Column(
            "is_benchmark_department",
            "标杆院系",
            synonyms=("是否标杆院系",),
            parse=n.Boolean(),
            example="否",
        ),
        Column(
            "is_dual_leader_studio",
            "双带头人工作室",
            synonyms=("“双带头人”书记工作室", "双带头人书记工作室", "是否双带头人工作室"),
            parse=n.Boolean(),
            help=_("是否为“双带头人”教师党支部书记工作室"),
            example="否",
        ),
        Column(
            "phone",
            "联系电话",
            synonyms=("电话", "联系方式"),
            parse=n.Text(30),
            example="0731-88888888",
        ),
        Column("note", "备注", synonyms=("说明",), parse=n.Text(lines=True)),
    )

    def check_rows(self, rows: list[Row], ctx: ImportContext) -> None:
        super().check_rows(rows, ctx)
        if ctx.mode == CREATE:
            self._check_parents(rows, ctx)
        else:
            self._check_existing(rows, ctx)

    def _check_parents(self, rows: list[Row], ctx: ImportContext) -> None:
        """Each parent is an organization in the user's ADD scope or an earlier-written row."""
        in_file: dict[str, Row] = {}
        for row in rows:
            in_file.setdefault(row.data.get("code") or "", row)
        in_file.pop("", None)
        wanted = {row.data.get("parent_code") for row in rows} - set(in_file) - {None, ""}
        scope = Organization.objects.restrict(ctx.user, ADD)
        existing = _by_code(scope, wanted)  # type: ignore[arg-type]
        header = ctx.headers.header("parent_code") if ctx.headers else "上级组织编码"
        for row in rows:
            parent = row.data.get("parent_code")
            if not parent:
                continue
            if parent == row.data.get("code"):
                ctx.add_error(
                    row.number,
                    "parent_code",
                    gettext("%(header)s不能与本组织的编码相同。") % {"header": header},
                )
            elif parent not in in_file and parent not in existing:
                ctx.add_error(
                    row.number,
                    "parent_code",
                    gettext(
                        "未找到组织编码为“%(parent)s”的上级党组织，或它不在您可设立下级组织的范围内。"
                    )
                    % {"parent": parent},
                )
        ctx.cache["existing_parents"] = existing
        ctx.cache["file_rows"] = in_file
        ctx.cache["depth"] = self._depths(rows, in_file, ctx)

    def _depths(
        self, rows: list[Row], in_file: dict[str, Row], ctx: ImportContext
    ) -> dict[int, int]:
        """How many rows of the file stand above each row; rows in a cycle are errors."""
        depth: dict[int, int] = {}
        for row in rows:
            chain: list[Row] = []
            seen: set[int] = set()
            current: Row | None = row
            while current is not None and current.number not in depth:
                if current.number in seen:
                    self._report_cycle(chain[chain.index(current) :], ctx)
                    break
                chain.append(current)
                seen.add(current.number)
                parent_code = current.data.get("parent_code")
                current = in_file.get(parent_code) if parent_code else None
            base = depth[current.number] if current is not None and current.number in depth else -1
            for member in reversed(chain):
                base += 1
                depth[member.number] = base
        return depth

    def _report_cycle(self, cycle: list[Row], ctx: ImportContext) -> None:
        if len(cycle) == 1:
            return  # a row naming itself as parent is reported by _check_parents
        path = " → ".join(str(r.data.get("code")) for r in [*cycle, cycle[0]])
        for member in cycle:
            ctx.add_error(
                member.number,
                "parent_code",
                gettext("上级组织编码形成了循环：%(path)s。") % {"path": path},
            )

    def _check_existing(self, rows: list[Row], ctx: ImportContext) -> None:
        """Update mode: each code names an organization the user may change, under the same parent."""
        scope = Organization.objects.restrict(ctx.user, CHANGE)
        found = _by_code(scope, (row.data["code"] for row in rows if row.data.get("code")))
        parent_codes = self._parent_codes(found.values()) if ctx.present("parent_code") else {}
        for row in rows:
            code = row.data.get("code")
            if not code:
                continue
            org = found.get(code)
            if org is None:
                ctx.add_error(
                    row.number,
                    "code",
                    gettext("未找到组织编码为“%(code)s”的党组织，或它不在您的管理范围内。")
                    % {"code": code},
                )
                continue
            row.obj = org
            wanted = row.data.get("parent_code")
            current = parent_codes.get(org.pk, "")
            if wanted and wanted != current:
                ctx.add_error(
                    row.number,
                    "parent_code",
                    gettext(
                        "更新导入不调整隶属关系：“%(name)s”目前的上级组织编码是“%(current)s”。如需调整，请在该组织页面使用“调整隶属关系”。"
                    )
                    % {"name": org.name, "current": current},
                )

    def _parent_codes(self, orgs: Iterable[Organization]) -> dict[int, str]:
        """Each organization's parent code (the parent's path is the path minus one step)."""
        step = Organization.steplen
        parent_path = {org.pk: org.path[:-step] for org in orgs if len(org.path) > step}
        codes: dict[str, str] = {}
        for batch in chunks(set(parent_path.values())):
            codes.update(Organization.objects.filter(path__in=batch).values_list("path", "code"))
        return {pk: codes.get(path, "") for pk, path in parent_path.items()}

    def order(self, rows: list[Row], ctx: ImportContext) -> list[Row]:
        """Parents before children (create mode); the file's order otherwise."""
        depth = ctx.cache.get("depth")
        if not depth:
            return rows
        return sorted(rows, key=lambda row: depth.get(row.number, 0))

    def _fields(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        return {
            name: row.data[name]
            for name in actions.EDITABLE_FIELDS
            if name in row.data and ctx.present(name)
        }

    def write_row(self, row: Row, ctx: ImportContext) -> str | None:
        if ctx.mode == CREATE:
            return self._create(row, ctx)
        org: Organization = row.obj
        data = self._fields(row, ctx)
        data.pop("code", None)
        if all(getattr(org, name) == value for name, value in data.items()):
            return None
        actions.update_organization(org, data, acting_user=ctx.user)
        return UPDATED

    def _create(self, row: Row, ctx: ImportContext) -> str:
        parent_code = row.data["parent_code"]
        parent_row = ctx.cache["file_rows"].get(parent_code)
        if parent_row is not None:
            if parent_row.obj is None:
                raise SkipRow  # the parent row was refused; its error explains this row too
            parent = parent_row.obj
        else:
            parent = ctx.cache["existing_parents"][parent_code]
        row.obj = actions.create_organization(
            self._fields(row, ctx), parent=parent, acting_user=ctx.user
        )
        return CREATED


__all__ = ["OrganizationImport"]
