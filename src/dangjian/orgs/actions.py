"""Every state change of the organization tree (domain.md §2).

Structural changes (move, merge, dissolve, delete) need the 'change' or 'delete' grant on an
organization *above* the one changed: a committee's staff reorganize branches inside their
committee but cannot dissolve or move the committee itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.actions import domain_action, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.scope import ADD, CHANGE, DELETE, user_grants
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import BRANCH_LEVELS, Level, Position, Status
from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "code",
    "level",
    "kind",
    "unit",
    "founded_on",
    "is_joint",
    "joint_units",
    "is_model_branch",
    "is_benchmark_department",
    "is_dual_leader_studio",
    "phone",
    "note",
)

DECIDED_ABOVE = (
    "level",
    "code",
    "is_model_branch",
    "is_benchmark_department",
    "is_dual_leader_studio",
)

# Apps that keep records under an organization register a function here that moves those
# records from a merged organization to the one it merges into (called inside the merge).
merge_handlers: list[Callable[[Organization, Organization], int]] = []
# ... and a function that names what still keeps an organization from being dissolved (people
# on its books, open letters): a message, or "" when nothing does.
dissolve_checks: list[Callable[[Organization], str]] = []


def may(user: Any, action: str, org: Organization, *, strictly_below: bool) -> bool:
    """Whether a grant with `action` covers `org` (strictly: a grant on an ancestor).

    `user` None is the system itself: a command run by the operator on the server.
    """
    if user is None:
        return True
    spec = Organization.scope
    for grant in user_grants(user):
        if not spec.allows(grant.role, action) or grant.path is None:
            continue
        if org.path.startswith(grant.path) and (
            not strictly_below or len(org.path) > len(grant.path)
        ):
            return True
    return False


def _require(user: Any, action: str, org: Organization, *, strictly_below: bool, what: str) -> None:
    if not may(user, action, org, strictly_below=strictly_below):
        raise DomainError(gettext("您无权%(what)s“%(name)s”。") % {"what": what, "name": org.name})


def _validate_fields(
    data: Mapping[str, Any], *, parent: Organization | None, instance: Organization | None
) -> None:
    """Field rules shared by create and update: code unique, level under parent, joint units."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = gettext("请填写党组织名称。")
    code = (data.get("code") or "").strip()
    if not code:
        errors["code"] = gettext("请填写组织编码。")
    else:
        clash = Organization.objects.filter(code=code)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["code"] = gettext("组织编码“%(code)s”已被使用。") % {"code": code}
    level = data.get("level")
    if level not in Level.values:
        errors["level"] = gettext("请选择正确的层级。")
    else:
        problem = org_rules.check_parent(level, parent.level if parent else None)
        if problem:
            errors["level"] = problem
        if parent is not None and not parent.is_active:
            errors["level"] = gettext("上级党组织“%(name)s”已撤销，不能在其下设立党组织。") % {
                "name": parent.name
            }
        if instance is not None and instance.pk:
            for child in Organization.objects.get_children(instance).filter(status=Status.ACTIVE):
                if org_rules.check_parent(child.level, level):
                    errors["level"] = gettext(
                        "下级党组织“%(name)s”（%(level)s）不能设在%(label)s之下，不能改为此层级。"
                    ) % {
                        "name": child.name,
                        "level": child.get_level_display(),
                        "label": Level(level).label,
                    }
                    break
    founded_on = data.get("founded_on")
    if founded_on and founded_on > timezone.localdate():
        errors["founded_on"] = gettext("成立日期不能晚于今天。")
    if data.get("is_joint") and level not in BRANCH_LEVELS:
        errors["is_joint"] = gettext("只有党支部可以是联合党支部。")
    if errors:
        raise DomainError(errors)
    limit = rules.value(org_rules.JOINT_BRANCH_MAX_UNITS.code)
    if data.get("is_joint") and data.get("joint_units") and data["joint_units"] > limit:
        rules.breach(
            org_rules.JOINT_BRANCH_MAX_UNITS.code, field="joint_units", count=data["joint_units"]
        )


@domain_action("orgs.organization.create", _("设立党组织"))
def create_organization(
    data: Mapping[str, Any], *, parent: Organization | None, acting_user: Any
) -> Organization:
    """Create an organization under `parent` (None: a new university committee)."""
    if parent is None:
        if acting_user is not None:
            raise DomainError(
                {"parent": gettext("请选择上级党组织：高校党委只能由系统初始化命令创建。")}
            )
    else:
        _require(acting_user, ADD, parent, strictly_below=False, what=gettext("在其下设立党组织："))
    _validate_fields(data, parent=parent, instance=None)
    values = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    values["name"] = values["name"].strip()
    values["code"] = values["code"].strip()
    node = Organization(**values)
    manager = Organization.objects
    org = manager.add_child(parent, instance=node) if parent else manager.add_root(instance=node)
    track(org, changes={name: (None, getattr(org, name)) for name in values})
    return org


@domain_action("orgs.organization.update", _("修改党组织"))
def update_organization(
    org: Organization, data: Mapping[str, Any], *, acting_user: Any
) -> Organization:
    """Change an organization's fields (not its place in the tree)."""
    _require(acting_user, CHANGE, org, strictly_below=False, what=gettext("修改"))
    if not org.is_active:
        raise DomainError(gettext("已撤销或合并的党组织不能修改。"))
    # Level, code and the designations awarded by the level above (样板支部 and the like) are
    # decided above this organization, not by it.
    decided_above = [
        name for name in DECIDED_ABOVE if name in data and data[name] != getattr(org, name)
    ]
    if decided_above:
        _require(
            acting_user,
            CHANGE,
            org,
            strictly_below=True,
            what=gettext("调整层级、组织编码或创建标识："),
        )
    merged = {name: getattr(org, name) for name in EDITABLE_FIELDS} | dict(data)
    _validate_fields(merged, parent=Organization.objects.get_parent(org), instance=org)
    before = snapshot(org, EDITABLE_FIELDS)
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(org, name, value.strip() if isinstance(value, str) else value)
    org.save()
    track(org, changes=diff(before, snapshot(org, EDITABLE_FIELDS)))
    return org


@domain_action("orgs.organization.move", _("调整隶属关系"))
def move_organization(
    org: Organization, new_parent: Organization, *, acting_user: Any
) -> Organization:
    """Move an organization (and its subtree) under another parent."""
    _require(acting_user, CHANGE, org, strictly_below=True, what=gettext("调整隶属关系："))
    _require(acting_user, ADD, new_parent, strictly_below=False, what=gettext("将党组织调入"))
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise DomainError({"parent": gettext("不能把党组织调到它自己或它的下级组织之下。")})
    if not new_parent.is_active or not org.is_active:
        raise DomainError({"parent": gettext("已撤销的党组织不能调整隶属关系。")})
    problem = org_rules.check_parent(org.level, new_parent.level)
    if problem:
        raise DomainError({"parent": problem})
    old_parent = Organization.objects.get_parent(org)
    if old_parent and old_parent.pk == new_parent.pk:
        raise DomainError({"parent": gettext("新的上级党组织与原上级相同。")})
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    track(
        org,
        changes={"parent": (str(old_parent) if old_parent else None, str(new_parent))},
        detail={
            "old_parent_id": old_parent.pk if old_parent else None,
            "new_parent_id": new_parent.pk,
        },
    )
    return org


@domain_action("orgs.organization.dissolve", _("撤销党组织"))
def dissolve_organization(
    org: Organization, *, on: date, reason: str, acting_user: Any
) -> Organization:
    """Dissolve an organization; it stays in the tree as history, with its records."""
    _require(acting_user, CHANGE, org, strictly_below=True, what=gettext("撤销"))
    if not org.is_active:
        raise DomainError(gettext("该党组织已撤销或合并。"))
    if not reason.strip():
        raise DomainError({"reason": gettext("请填写撤销原因。")})
    if on > timezone.localdate():
        raise DomainError({"on": gettext("撤销日期不能晚于今天。")})
    if org.founded_on and on < org.founded_on:
        raise DomainError({"on": gettext("撤销日期不能早于成立日期。")})
    active_children = Organization.objects.get_descendants(org).filter(status=Status.ACTIVE)
    if active_children.exists():
        names = "、".join(active_children.values_list("name", flat=True)[:3])
        raise DomainError(
            gettext("请先撤销、合并或调出下级党组织（%(names)s等）后再撤销本组织。")
            % {"names": names}
        )
    problems = [problem for check in dissolve_checks if (problem := check(org))]
    if problems:
        raise DomainError("；".join(problems))
    before = snapshot(org, ["status", "dissolved_on", "dissolution_reason"])
    org.status, org.dissolved_on, org.dissolution_reason = Status.DISSOLVED, on, reason.strip()
    org.save(update_fields=["status", "dissolved_on", "dissolution_reason", "updated_at"])
    track(
        org, changes=diff(before, snapshot(org, ["status", "dissolved_on", "dissolution_reason"]))
    )
    return org


@domain_action("orgs.organization.merge", _("合并党组织"))
def merge_organization(
    org: Organization, into: Organization, *, on: date, acting_user: Any
) -> Organization:
    """Merge `org` into `into`: children and records move, `org` is kept as merged history."""
    _require(acting_user, CHANGE, org, strictly_below=True, what=gettext("合并"))
    _require(acting_user, CHANGE, into, strictly_below=False, what=gettext("并入"))
    if into.pk == org.pk or into.path.startswith(org.path):
        raise DomainError({"into": gettext("不能并入自身或其下级组织。")})
    if not org.is_active or not into.is_active:
        raise DomainError({"into": gettext("已撤销或合并的党组织不能参与合并。")})
    if org.level != into.level and not (org.level in BRANCH_LEVELS and into.level in BRANCH_LEVELS):
        raise DomainError({"into": gettext("只能并入同一层级的党组织。")})
    if on > timezone.localdate():
        raise DomainError({"on": gettext("合并日期不能晚于今天。")})
    moved_children = 0
    for child in list(Organization.objects.get_children(org).filter(status=Status.ACTIVE)):
        Organization.objects.move(child, into, pos="last-child")
        into.refresh_from_db()
        moved_children += 1
    moved_records = sum(handler(org, into) for handler in merge_handlers)
    org.refresh_from_db()
    org.status, org.dissolved_on, org.merged_into = Status.MERGED, on, into
    org.dissolution_reason = f"并入{into.name}"  # stored data: kept in Chinese
    org.save(
        update_fields=["status", "dissolved_on", "merged_into", "dissolution_reason", "updated_at"]
    )
    track(
        org,
        changes={"status": (Status.ACTIVE, Status.MERGED), "merged_into": (None, str(into))},
        detail={"children_moved": moved_children, "records_moved": moved_records},
    )
    return org


@domain_action("orgs.organization.delete", _("删除党组织"))
def delete_organization(org: Organization, *, acting_user: Any) -> None:
    """Delete an organization entered by mistake; refused when anything refers to it."""
    _require(acting_user, DELETE, org, strictly_below=True, what=gettext("删除"))
    if Organization.objects.get_children_count(org):
        raise DomainError(gettext("该党组织有下级组织，不能删除；如已不再存在，请使用“撤销”。"))
    label, pk = str(org), org.pk
    try:
        org.delete()
    except ProtectedError as error:
        kinds = sorted({str(obj._meta.verbose_name) for obj in error.protected_objects})
        raise DomainError(
            gettext("该党组织已有%(kinds)s等记录，不能删除；如已不再存在，请使用“撤销”保留历史。")
            % {"kinds": "、".join(str(k) for k in kinds)}
        )
    track(None, detail={"organization_id": pk, "name": label})


def _term_fields(data: Mapping[str, Any], org: Organization) -> dict[str, Any]:
    elected_on = data.get("elected_on")
    if not elected_on:
        raise DomainError({"elected_on": gettext("请填写选举日期。")})
    if elected_on > timezone.localdate():
        raise DomainError({"elected_on": gettext("选举日期不能晚于今天。")})
    years = data.get("term_years") or org_rules.term_years_for(org.level)
    if years < 1 or years > 10:
        raise DomainError({"term_years": gettext("任期应在1至10年之间。")})
    ends_on = _add_years(elected_on, years)
    return {
        "elected_on": elected_on,
        "term_years": years,
        "ends_on": ends_on,
        "note": (data.get("note") or "").strip(),
    }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@domain_action("orgs.term.create", _("登记换届"))
def start_term(org: Organization, data: Mapping[str, Any], *, acting_user: Any) -> CommitteeTerm:
    """Record a new committee term (换届); the previous term closes on the election day."""
    _require(acting_user, CHANGE, org, strictly_below=False, what=gettext("登记换届："))
    if not org.is_active:
        raise DomainError(gettext("已撤销的党组织不能登记换届。"))
    if org.level == Level.PARTY_GROUP:
        raise DomainError(gettext("党小组不设委员会。"))
    values = _term_fields(data, org)
    previous = org.terms.filter(closed_on__isnull=True).first()
    if previous is not None:
        if values["elected_on"] <= previous.elected_on:
            raise DomainError(
                {
                    "elected_on": gettext("选举日期须晚于上一届（%(elected_on)s）。")
                    % {"elected_on": previous.elected_on}
                }
            )
        previous.closed_on = values["elected_on"]
        previous.save(update_fields=["closed_on"])
        CommitteeMember.objects.filter(term=previous, ended_on__isnull=True).update(
            ended_on=values["elected_on"]
        )
    number = (org.terms.aggregate(models.Max("number"))["number__max"] or 0) + 1
    term = CommitteeTerm.objects.create(
        organization=org, number=data.get("number") or number, **values
    )
    track(
        term, changes={k: (None, v) for k, v in values.items()}, detail={"organization_id": org.pk}
    )
    return term


@domain_action("orgs.term.update", _("修改届次"))
def update_term(term: CommitteeTerm, data: Mapping[str, Any], *, acting_user: Any) -> CommitteeTerm:
    """Correct a term's dates or note."""
    _require(
        acting_user, CHANGE, term.organization, strictly_below=False, what=gettext("修改换届信息：")
    )
    if not term.organization.is_active:
        raise DomainError(gettext("已撤销或合并的党组织不能调整委员会。"))
    values = _term_fields(data, term.organization)
    before = snapshot(term, values.keys())
    for name, value in values.items():
        setattr(term, name, value)
    term.save()
    track(term, changes=diff(before, snapshot(term, values.keys())))
    return term


@domain_action("orgs.committee_member.add", _("添加委员"))
def add_committee_member(
    term: CommitteeTerm, data: Mapping[str, Any], *, acting_user: Any
) -> CommitteeMember:
    """Add a member with a position to a committee term."""
    _require(
        acting_user, CHANGE, term.organization, strictly_below=False, what=gettext("调整委员：")
    )
    if not term.organization.is_active:
        raise DomainError(gettext("已撤销或合并的党组织不能调整委员会。"))
    person = data.get("person")  # a registry person (members app), when known
    name = (data.get("name") or (person.name if person is not None else "")).strip()
    if not name:
        raise DomainError({"name": gettext("请填写委员姓名。")})
    position = str(data.get("position") or "")
    if position not in Position.values:
        raise DomainError({"position": gettext("请选择正确的职务。")})
    if (
        position == "secretary"
        and term.members.filter(position="secretary", ended_on__isnull=True).exists()
    ):
        raise DomainError({"position": gettext("本届委员会已有在任书记，请先登记原书记离任。")})
    started_on = data.get("started_on") or term.elected_on
    if started_on < term.elected_on:
        raise DomainError({"started_on": gettext("任职日期不能早于本届选举日期。")})
    member = CommitteeMember.objects.create(
        term=term,
        name=name,
        position=position,
        started_on=started_on,
        user=data.get("user") or (person.user if person is not None else None),
        person=person,
    )
    track(member, changes={"name": (None, name), "position": (None, position)})
    return member


@domain_action("orgs.committee_member.end", _("登记委员离任"))
def end_committee_post(member: CommitteeMember, *, on: date, acting_user: Any) -> CommitteeMember:
    """Record that a committee member left the post."""
    _require(
        acting_user,
        CHANGE,
        member.term.organization,
        strictly_below=False,
        what=gettext("调整委员："),
    )
    if not member.term.organization.is_active:
        raise DomainError(gettext("已撤销或合并的党组织不能调整委员会。"))
    if member.ended_on:
        raise DomainError(gettext("该委员已离任。"))
    if member.started_on and on < member.started_on:
        raise DomainError({"on": gettext("离任日期不能早于任职日期。")})
    member.ended_on = on
    member.save(update_fields=["ended_on"])
    track(member, changes={"ended_on": (None, on)})
    return member


__all__ = [
    "add_committee_member",
    "create_organization",
    "delete_organization",
    "dissolve_organization",
    "end_committee_post",
    "merge_organization",
    "move_organization",
    "start_term",
    "update_organization",
    "update_term",
]
