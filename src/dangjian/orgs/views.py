"""Organization pages: list, tree, detail, and forms that call the actions."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW, can
from dangjian.core.text import Text
from dangjian.core.views.forms import action_form, apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.orgs import actions
from dangjian.orgs import forms as org_forms
from dangjian.orgs.choices import Level, Position, Status
from dangjian.orgs.counts import member_counts
from dangjian.orgs.filters import OrganizationFilter, search_organizations
from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization
from dangjian.orgs.permissions import require_above
from dangjian.orgs.rules import structure_warnings

LIST_CRUMB = (_("党组织"), "/orgs/")
POSITION_ORDER = Case(
    *(When(position=code, then=Value(i)) for i, code in enumerate(Position.values)),
    output_field=IntegerField(),
)
CHILDREN_SHOWN = 100  # a detail page lists at most this many children; the list has the rest
TREE_CHILDREN_SHOWN = 500


class OrganizationListView(ScopedListView):
    model = Organization
    template_name = "orgs/organization_list.html"
    filterset_class = OrganizationFilter
    page_title = _("党组织列表")
    export_name = _("党组织")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [LIST_CRUMB, (_("党组织列表"), "")]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("组织编码"), "code", 14),
        ExportColumn(_("名称"), "name", 30),
        ExportColumn(_("简称"), "short_name"),
        ExportColumn(_("层级"), "level", 12),
        ExportColumn(_("类型"), "kind", 10),
        ExportColumn(_("上级组织编码"), lambda o: o.parent_code, 14),
        ExportColumn(_("所在单位"), "unit", 24),
        ExportColumn(_("成立日期"), "founded_on", 12),
        ExportColumn(_("状态"), "status", 8),
        ExportColumn(_("撤销日期"), "dissolved_on", 12),
        ExportColumn(_("联合党支部"), "is_joint", 10),
        ExportColumn(_("联合单位数"), "joint_units", 10),
        ExportColumn(_("样板支部"), "is_model_branch", 10),
        ExportColumn(_("标杆院系"), "is_benchmark_department", 10),
        ExportColumn(_("双带头人工作室"), "is_dual_leader_studio", 14),
        ExportColumn(_("联系电话"), "phone", 14),
        ExportColumn(_("备注"), "note", 24),
    ]

    def base_queryset(self) -> QuerySet[Organization]:
        """Active organizations unless a status or an 'as of' date asks for history."""
        queryset = self.scoped_queryset()
        if not self.request.GET.get("status") and not self.request.GET.get("as_of"):
            queryset = queryset.filter(status=Status.ACTIVE)
        return queryset

    def export_queryset(self) -> QuerySet[Organization]:
        """The export also names each organization's parent (the list page does not)."""
        return with_parent_code(self.get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        counts = member_counts(page)
        for org in page:
            count = counts.get(org.pk)
            org.member_total = count.total if count else 0
        context["object_list"] = page
        context["can_add"] = can(self.request.user, Organization, ADD)
        return context


def with_parent_code(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate each organization with its parent's code (the parent is the path prefix)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Length, Substr

    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    ).values("code")[:1]
    return queryset.annotate(parent_code=Subquery(parent))


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The tree of the user's scope: its top organizations, children loaded on demand."""
    require(request, Organization, VIEW)
    scoped = Organization.objects.restrict(request.user)
    query = request.GET.get("q", "").strip()
    show_dissolved = request.GET.get("dissolved") == "1"
    if query:
        matches = list(search_organizations(scoped, query).order_by("path")[:200])
        _annotate_nodes(matches)
        parent_paths = {m.path[: -Organization.steplen] for m in matches if m.depth > 1}
        parents = dict(  # only parents the user may see; others stay unnamed
            scoped.filter(path__in=parent_paths).values_list("path", "name")
        )
        for match in matches:
            match.parent_name = parents.get(match.path[: -Organization.steplen], "")
        return render(
            request,
            "orgs/tree.html",
            {
                "page_title": gettext("组织架构"),
                "breadcrumbs": [LIST_CRUMB, (gettext("组织架构"), "")],
                "matches": matches,
                "q": query,
                "show_dissolved": show_dissolved,
            },
        )
    tops = _scope_tops(request.user)
    _annotate_nodes(tops)
    return render(
        request,
        "orgs/tree.html",
        {
            "page_title": gettext("组织架构"),
            "breadcrumbs": [LIST_CRUMB, (gettext("组织架构"), "")],
            "nodes": tops,
            "q": "",
            "show_dissolved": show_dissolved,
        },
    )


def _scope_tops(user: Any) -> list[Organization]:
    """The highest organizations the user sees (their grants' organizations)."""
    from dangjian.core.scope import covering_paths, user_grants

    spec = Organization.scope
    paths = covering_paths(
        g.path for g in user_grants(user) if g.path and spec.allows(g.role, VIEW)
    )
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def _annotate_nodes(nodes: list[Organization]) -> None:
    counts = member_counts(nodes)
    for node in nodes:
        count = counts.get(node.pk)
        node.member_total = count.total if count else 0


@login_required
def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment: the children of one node."""
    org = get_scoped(request, Organization, VIEW, pk=pk)
    children = Organization.objects.get_children(org).restrict(request.user)
    if request.GET.get("dissolved") != "1":
        children = children.filter(status=Status.ACTIVE)
    nodes = list(children.order_by("path")[: TREE_CHILDREN_SHOWN + 1])
    more = len(nodes) > TREE_CHILDREN_SHOWN
    nodes = nodes[:TREE_CHILDREN_SHOWN]
    _annotate_nodes(nodes)
    return render(
        request,
        "orgs/_tree_nodes.html",
        {
            "nodes": nodes,
            "show_dissolved": request.GET.get("dissolved") == "1",
            "more_url": f"{reverse('orgs:list')}?within={org.pk}" if more else "",
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped(request, Organization, VIEW, pk=pk)
    user = request.user
    visible_children = Organization.objects.get_children(org).restrict(user)
    children = list(visible_children.order_by("path")[:CHILDREN_SHOWN])
    children_total = visible_children.count() if len(children) == CHILDREN_SHOWN else len(children)
    _annotate_nodes(children)
    terms = list(
        org.terms.prefetch_related(
            Prefetch("members", queryset=CommitteeMember.objects.order_by(POSITION_ORDER, "id"))
        ).order_by("-number")
    )
    current = next((t for t in terms if t.closed_on is None), None)
    count = member_counts([org]).get(org.pk)
    committee_size = (
        sum(1 for m in current.members.all() if m.ended_on is None) if current else None
    )
    warnings = (
        structure_warnings(
            level=org.level,
            kind=org.kind,
            is_joint=org.is_joint,
            joint_units=org.joint_units,
            full_members=count.full if count else None,
            committee_size=committee_size,
            current_term=(current.number, current.ends_on) if current else None,
            today=timezone.localdate(),
        )
        if org.is_active
        else []
    )
    descendants = Organization.objects.get_descendants(org)
    level_counts = dict(
        descendants.filter(status=Status.ACTIVE)
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    lineage = org.ancestors_and_self()
    visible = set(
        Organization.objects.restrict(user)
        .filter(pk__in=[a.pk for a in lineage])
        .values_list("pk", flat=True)
    )
    crumbs = [LIST_CRUMB] + [
        (a.name, reverse("orgs:detail", args=[a.pk])) for a in lineage if a.pk in visible
    ]
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "page_title": org.name,
            "breadcrumbs": crumbs,
            "children": children,
            "children_total": children_total,
            "terms": terms,
            "current_term": current,
            "member_total": count.total if count else 0,
            "warnings": warnings,
            "level_counts": [(Level(k).label, v) for k, v in level_counts.items()],
            "can_change": _can_on(user, CHANGE, org),
            "can_restructure": actions.may(user, CHANGE, org, strictly_below=True),
            "can_delete": actions.may(user, DELETE, org, strictly_below=True),
            "can_add_child": _can_on(user, ADD, org) and org.level != Level.PARTY_GROUP,
            "parent": Organization.objects.get_parent(org),
        },
    )


def _can_on(user: Any, action: str, org: Organization) -> bool:
    return Organization.objects.restrict(user, action).filter(pk=org.pk).exists()


def _org_crumbs(org: Organization, title: str) -> list[tuple[Any, str]]:
    """Breadcrumbs of a form page about one organization."""
    return [LIST_CRUMB, (org.name, reverse("orgs:detail", args=[org.pk])), (title, "")]


def _form_page(request: HttpRequest, form: forms.BaseForm, **context: Any) -> HttpResponse:
    return render(request, "core/form_page.html", {"form": form, **context})


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require(request, Organization, ADD)
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    parents = (
        Organization.objects.restrict(request.user, ADD).active().exclude(level=Level.PARTY_GROUP)
    )
    parent = get_scoped(request, Organization, ADD, pk=parent_id) if parent_id else None
    form = org_forms.OrganizationForm(request.POST or None, initial={"level": _child_level(parent)})
    parent_field = org_forms.ParentChoiceField(
        queryset=parents, label=gettext("上级党组织"), initial=parent
    )
    form.fields = {"parent": parent_field, **form.fields}  # type: ignore[assignment]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("parent")
        try:
            org = actions.create_organization(data, parent=chosen, acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已设立“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(
        request,
        form,
        page_title=gettext("设立党组织"),
        breadcrumbs=[LIST_CRUMB, (gettext("设立党组织"), "")],
        cancel_url=reverse("orgs:detail", args=[parent.pk]) if parent else "/orgs/",
    )


def _child_level(parent: Organization | None) -> str:
    if parent is None:
        return ""
    defaults: dict[str, str] = {
        Level.UNIVERSITY_COMMITTEE: Level.COMMITTEE,
        Level.COMMITTEE: Level.BRANCH,
        Level.GENERAL_BRANCH: Level.BRANCH,
        Level.BRANCH: Level.PARTY_GROUP,
        Level.TEMPORARY_BRANCH: Level.PARTY_GROUP,
    }
    return defaults.get(parent.level, "")


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped(request, Organization, CHANGE, pk=pk)
    form = org_forms.OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        org.refresh_from_db()
        try:
            actions.update_organization(org, data, acting_user=request.user)
        except DomainError as error:
            org.refresh_from_db()
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(
        request,
        form,
        page_title=gettext("编辑：%(name)s") % {"name": org.name},
        breadcrumbs=[
            LIST_CRUMB,
            (org.name, reverse("orgs:detail", args=[pk])),
            (gettext("编辑"), ""),
        ],
        cancel_url=reverse("orgs:detail", args=[pk]),
    )


def _structural(
    request: HttpRequest, pk: int, title: str
) -> tuple[Organization, list[tuple[Text, str]]]:
    org = get_scoped(request, Organization, CHANGE, pk=pk)
    require_above(request, org, CHANGE)
    crumbs: list[tuple[Text, str]] = [
        LIST_CRUMB,
        (org.name, reverse("orgs:detail", args=[pk])),
        (title, ""),
    ]
    return org, crumbs


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    org, crumbs = _structural(request, pk, gettext("调整隶属关系"))
    parents = (
        Organization.objects.restrict(request.user, ADD)
        .active()
        .exclude(path__startswith=org.path)
        .exclude(level=Level.PARTY_GROUP)
    )
    return action_form(
        request,
        org_forms.MoveForm(request.POST or None, parents=parents),
        lambda data: actions.move_organization(org, data["parent"], acting_user=request.user),
        success=lambda moved: (
            gettext("已将“%(name)s”调整到“%(parent)s”之下。")
            % {"name": moved.name, "parent": Organization.objects.get_parent(moved).name}
        ),
        next_url=reverse("orgs:detail", args=[org.pk]),
        page_title=gettext("调整隶属关系：%(name)s") % {"name": org.name},
        breadcrumbs=crumbs,
        intro=gettext("下级党组织随之一并调整。"),
        submit_label=gettext("调整"),
        cancel_url=reverse("orgs:detail", args=[pk]),
    )


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    org, crumbs = _structural(request, pk, gettext("合并"))
    targets = (
        Organization.objects.restrict(request.user, CHANGE)
        .active()
        .exclude(path__startswith=org.path)
        .filter(
            Q(level=org.level) | Q(level__in=[Level.BRANCH, Level.TEMPORARY_BRANCH])
            if org.is_branch
            else Q(level=org.level)
        )
    )
    form = org_forms.MergeForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            actions.merge_organization(
                org, form.cleaned_data["into"], on=form.cleaned_data["on"], acting_user=request.user
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                gettext("“%(name)s”已并入“%(into)s”。")
                % {"name": org.name, "into": form.cleaned_data["into"].name},
            )
            return redirect("orgs:detail", pk=form.cleaned_data["into"].pk)
    return _form_page(
        request,
        form,
        page_title=gettext("合并：%(name)s") % {"name": org.name},
        breadcrumbs=crumbs,
        intro=gettext("下级组织和各项记录转入目标组织；本组织作为历史保留，状态为“已合并”。"),
        submit_label=gettext("合并"),
        cancel_url=reverse("orgs:detail", args=[pk]),
    )


@login_required
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    org, crumbs = _structural(request, pk, gettext("撤销"))
    return action_form(
        request,
        org_forms.DissolveForm(request.POST or None),
        lambda data: actions.dissolve_organization(
            org, on=data["on"], reason=data["reason"], acting_user=request.user
        ),
        success=gettext("已撤销“%(name)s”，其历史记录予以保留。") % {"name": org.name},
        next_url=reverse("orgs:detail", args=[org.pk]),
        page_title=gettext("撤销：%(name)s") % {"name": org.name},
        breadcrumbs=crumbs,
        intro=gettext("撤销后组织及其记录保留为历史，不再出现在日常列表中。"),
        submit_label=gettext("撤销"),
        cancel_url=reverse("orgs:detail", args=[pk]),
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped(request, Organization, DELETE, pk=pk)
    require_above(request, org, DELETE)
    parent = Organization.objects.get_parent(org)
    # Bound on every POST (an empty confirm form too), so a refusal can be shown on it.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form.is_valid()
        try:
            actions.delete_organization(org, acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已删除“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", pk=parent.pk) if parent else redirect("orgs:list")
    return render(
        request,
        "core/confirm.html",
        {
            "page_title": gettext("删除：%(name)s") % {"name": org.name},
            "form": form,
            "danger": True,
            "submit_label": gettext("删除"),
            "question": gettext(
                "确定删除“%(name)s”吗？仅用于删除误建的组织；已有记录的组织请使用“撤销”。"
            )
            % {"name": org.name},
            "breadcrumbs": [
                LIST_CRUMB,
                (org.name, reverse("orgs:detail", args=[pk])),
                (gettext("删除"), ""),
            ],
            "cancel_url": reverse("orgs:detail", args=[pk]),
        },
    )


@login_required
def term_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped(request, Organization, CHANGE, pk=pk)
    return action_form(
        request,
        org_forms.TermForm(request.POST or None),
        lambda data: actions.start_term(org, data, acting_user=request.user),
        success=gettext("已登记换届。"),
        next_url=reverse("orgs:detail", args=[org.pk]),
        page_title=gettext("登记换届：%(name)s") % {"name": org.name},
        breadcrumbs=_org_crumbs(org, gettext("登记换届")),
        intro=gettext("新一届开始时，上一届委员会自动结束。"),
        cancel_url=reverse("orgs:detail", args=[pk]),
    )


@login_required
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_scoped(request, CommitteeTerm, CHANGE, pk=pk)
    org = term.organization
    initial = {"elected_on": term.elected_on, "term_years": term.term_years, "note": term.note}
    return action_form(
        request,
        org_forms.TermForm(request.POST or None, initial=initial),
        lambda data: actions.update_term(term, data, acting_user=request.user),
        success=gettext("已保存。"),
        next_url=reverse("orgs:detail", args=[org.pk]),
        page_title=gettext("修改第%(number)s届：%(name)s")
        % {"number": term.number, "name": org.name},
        breadcrumbs=_org_crumbs(org, gettext("修改届次")),
        cancel_url=reverse("orgs:detail", args=[org.pk]),
    )


@login_required
def committee_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_scoped(request, CommitteeTerm, CHANGE, pk=pk)
    org = term.organization
    return action_form(
        request,
        org_forms.CommitteeMemberForm(request.POST or None),
        lambda data: actions.add_committee_member(term, data, acting_user=request.user),
        success=gettext("已添加委员。"),
        next_url=reverse("orgs:detail", args=[org.pk]),
        page_title=gettext("添加委员：%(name)s 第%(number)s届")
        % {"name": org.name, "number": term.number},
        breadcrumbs=_org_crumbs(org, gettext("添加委员")),
        cancel_url=reverse("orgs:detail", args=[org.pk]),
    )


@login_required
def committee_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_scoped(request, CommitteeMember, CHANGE, pk=pk)
    org = member.term.organization
    return action_form(
        request,
        org_forms.EndPostForm(request.POST or None),
        lambda data: actions.end_committee_post(member, on=data["on"], acting_user=request.user),
        success=gettext("已登记%(name)s离任。") % {"name": member.name},
        next_url=reverse("orgs:detail", args=[org.pk]),
        page_title=gettext("登记离任：%(member)s") % {"member": member},
        breadcrumbs=_org_crumbs(org, gettext("登记离任")),
        cancel_url=reverse("orgs:detail", args=[org.pk]),
    )
