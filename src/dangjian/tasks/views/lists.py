"""Pages of responsibility lists (主体责任清单、任务清单、制度清单): an organization's three
lists of a year as cards, one list's items, the forms that add and change items, the copy of
last year's lists and the Excel export of a list.

Every read goes through `restrict()` / `get_scoped`; every change through `tasks.actions`,
whose refusals are shown on the form (or as a message for the copy).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn, export_response
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, EXPORT, VIEW, covers, user_grants
from dangjian.core.text import Text
from dangjian.core.views.forms import action_form
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import within_choices
from dangjian.orgs.models import Organization
from dangjian.tasks import actions
from dangjian.tasks.choices import ItemStatus, ListKind
from dangjian.tasks.forms_lists import ItemForm, ListForm
from dangjian.tasks.models import ListItem, ResponsibilityList

TITLE = _("责任清单")
FORM_TEMPLATE = "tasks/list_form.html"
ITEMS_PER_PAGE = 50
STATUS_COLOURS: dict[str, str] = {
    ItemStatus.PLANNED: "secondary",
    ItemStatus.IN_PROGRESS: "primary",
    ItemStatus.DONE: "success",
}
KIND_ICONS: dict[str, str] = {
    ListKind.RESPONSIBILITY: "shield-check",
    ListKind.TASK: "list-check",
    ListKind.INSTITUTION: "journal-bookmark",
}
EXPORT_COLUMNS: list[ExportColumn] = [
    ExportColumn(_("序号"), "position", 8),
    ExportColumn(_("内容"), "content", 60),
    ExportColumn(_("责任人（部门）"), "owner", 20),
    ExportColumn(_("完成时限"), "deadline", 12),
    ExportColumn(_("状态"), "status", 10),
    ExportColumn(_("备注"), "note", 30),
]


def index_url(org: Organization | int, year: int) -> str:
    pk = org if isinstance(org, int) else org.pk
    return f"{reverse('tasks:lists')}?{urlencode({'org': pk, 'year': year})}"


def _param(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def _year(request: HttpRequest) -> int:
    """The year asked for; this year when none, with a message when it is not a year."""
    text, this_year = _param(request, "year"), timezone.localdate().year
    if not text:
        return this_year
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    messages.warning(request, gettext("年度应为2000至2100之间的整数，已显示本年度。"))
    return this_year


def _organization(request: HttpRequest, action: str) -> Organization:
    """The organization named by ?org=: 404 outside scope, 403 without `action` on its lists."""
    text = _param(request, "org")
    if not text.isdigit():
        raise Http404(gettext("请选择党组织。"))
    org = get_scoped(request, Organization, VIEW, pk=int(text))
    if not covers(request.user, ResponsibilityList, action, org.path):
        deny(request, request.user, "无此操作权限", model="tasks.responsibilitylist", action=action)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))
    return org


def _home(user: Any) -> Organization | None:
    """The organization of the caller's highest grant on lists (the page's default)."""
    spec = ResponsibilityList.scope
    ids = [g.organization_id for g in user_grants(user) if spec.allows(g.role, VIEW)]
    return Organization.objects.filter(pk__in=[i for i in ids if i]).order_by("depth").first()


def _crumbs(org: Organization, year: int, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    return [(TITLE, index_url(org, year)), *tail]


def _badge(item: ListItem) -> None:
    item.colour = STATUS_COLOURS.get(item.status, "secondary")  # type: ignore[attr-defined]


def _counted(queryset: Any) -> Any:
    """Lists with their item counts by status (one grouped query)."""
    return queryset.annotate(
        item_count=Count("items"),
        **{
            f"{status}_count": Count("items", filter=Q(items__status=status))
            for status in ItemStatus.values
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """An organization's three lists of a year, as cards with their items by status."""
    require(request, ResponsibilityList, VIEW)
    user, year = request.user, _year(request)
    org = _organization(request, VIEW) if _param(request, "org") else _home(user)
    if org is None:
        raise Http404(gettext("没有可查看责任清单的党组织。"))
    found = {
        duty_list.kind: duty_list
        for duty_list in _counted(
            ResponsibilityList.objects.restrict(user, VIEW).filter(organization=org, year=year)
        )
    }
    can_add = covers(user, ResponsibilityList, ADD, org.path)
    cards = []
    for kind in ListKind:
        duty_list = found.get(kind.value)
        total = getattr(duty_list, "item_count", 0)
        done = getattr(duty_list, "done_count", 0)
        cards.append(
            {
                "kind": kind,
                "icon": KIND_ICONS.get(kind.value, "list"),
                "list": duty_list,
                "percent": round(100 * done / total) if total else 0,
                "add_url": f"{reverse('tasks:list_add')}?"
                + urlencode({"org": org.pk, "year": year, "kind": kind.value}),
            }
        )
    scoped = Organization.objects.restrict(user, VIEW).exclude(level=Level.PARTY_GROUP)
    return render(
        request,
        "tasks/list_index.html",
        {
            "page_title": TITLE,
            "breadcrumbs": [(TITLE, "")],
            "organization": org,
            "org_choices": within_choices(scoped, org.pk)[1:],
            "year": year,
            "cards": cards,
            "can_add": can_add,
            "can_copy": can_add and len(found) < len(ListKind),
            "previous_url": index_url(org, year - 1),
            "next_url": index_url(org, year + 1),
        },
    )


@login_required
def add(request: HttpRequest) -> HttpResponse:
    """Set up one list of an organization for a year."""
    require(request, ResponsibilityList, ADD)
    org = _organization(request, ADD)
    year = _year(request)
    kind = _param(request, "kind") or ListKind.RESPONSIBILITY
    form = ListForm(request.POST or None, initial={"year": year, "kind": kind})
    title = gettext("建立责任清单")
    return action_form(
        request,
        form,
        lambda data: actions.create_list(
            org, data["year"], data["kind"], data["note"], acting_user=request.user
        ),
        success=lambda made: gettext("已建立%(list)s。") % {"list": made},
        next_url=lambda made: reverse("tasks:list", args=[made.pk]),
        template=FORM_TEMPLATE,
        organization=org,
        page_title=title,
        breadcrumbs=_crumbs(org, year, (title, "")),
        submit_label=gettext("建立"),
        cancel_url=index_url(org, year),
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One list: its items (paginated), with what the caller may do to them."""
    duty_list = get_scoped(request, ResponsibilityList, VIEW, pk=pk)
    org, user = duty_list.organization, request.user
    counts = dict(duty_list.items.order_by().values_list("status").annotate(n=Count("pk")))
    page = Paginator(duty_list.items.all(), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    for item in page.object_list:
        _badge(item)
    total = sum(counts.values())
    title = f"{org.name} · {duty_list}"
    return render(
        request,
        "tasks/list_detail.html",
        {
            "duty_list": duty_list,
            "organization": org,
            "page_obj": page,
            "items": page.object_list,
            "status_counts": [
                (label, counts.get(value, 0), STATUS_COLOURS[value])
                for value, label in ItemStatus.choices
            ],
            "total": total,
            "percent": round(100 * counts.get(ItemStatus.DONE, 0) / total) if total else 0,
            "can_edit": covers(user, ResponsibilityList, CHANGE, org.path),
            "can_export": covers(user, ResponsibilityList, EXPORT, org.path),
            "page_title": title,
            "breadcrumbs": _crumbs(org, duty_list.year, (title, "")),
        },
    )


def _item_context(duty_list: ResponsibilityList, title: str) -> dict[str, Any]:
    back = reverse("tasks:list", args=[duty_list.pk])
    org = duty_list.organization
    return {
        "organization": org,
        "duty_list": duty_list,
        "page_title": title,
        "breadcrumbs": _crumbs(org, duty_list.year, (str(duty_list), back), (title, "")),
        "cancel_url": back,
    }


@login_required
def item_add(request: HttpRequest, list: int) -> HttpResponse:
    duty_list = get_scoped(request, ResponsibilityList, CHANGE, pk=list)
    form = ItemForm(request.POST or None, initial={"status": ItemStatus.PLANNED})
    return action_form(
        request,
        form,
        lambda data: actions.save_item(duty_list, data, acting_user=request.user),
        success=gettext("已添加清单事项。"),
        next_url=reverse("tasks:list", args=[duty_list.pk]),
        template=FORM_TEMPLATE,
        submit_label=gettext("添加"),
        **_item_context(duty_list, gettext("添加清单事项")),
    )


@login_required
def item_edit(request: HttpRequest, item: int) -> HttpResponse:
    found = get_scoped(request, ListItem, CHANGE, pk=item)
    duty_list = found.duty_list
    initial = {name: getattr(found, name) for name in ("content", "owner", "status", "note")}
    initial["deadline"] = found.deadline.isoformat() if found.deadline else ""
    form = ItemForm(request.POST or None, initial=initial)
    return action_form(
        request,
        form,
        lambda data: actions.save_item(duty_list, data, found, acting_user=request.user),
        success=gettext("已保存清单事项。"),
        next_url=reverse("tasks:list", args=[duty_list.pk]),
        template=FORM_TEMPLATE,
        **_item_context(duty_list, gettext("修改清单事项")),
    )


@login_required
def item_delete(request: HttpRequest, item: int) -> HttpResponse:
    found = get_scoped(request, ListItem, CHANGE, pk=item)
    duty_list = found.duty_list
    context = _item_context(duty_list, gettext("删除清单事项"))
    warning = ""
    if request.method == "POST":
        try:
            actions.delete_item(found, acting_user=request.user)
        except DomainError as error:
            warning = error.message
        else:
            messages.success(request, gettext("已删除清单事项。"))
            return redirect(context["cancel_url"])
    return render(
        request,
        "core/confirm.html",
        context
        | {
            "question": gettext("确定从%(list)s中删除第%(n)d项“%(content)s”吗？")
            % {"list": duty_list, "n": found.position, "content": found.content[:60]},
            "warning": warning,
            "danger": True,
            "submit_label": gettext("删除"),
        },
    )


@login_required
@require_POST
def copy(request: HttpRequest) -> HttpResponse:
    """Start a year from another year's lists (沿用上年清单); refusals as a message."""
    require(request, ResponsibilityList, ADD)
    org = _organization(request, ADD)
    source, target = _param(request, "from_year"), _param(request, "to_year")
    back = index_url(org, int(target) if target.isdigit() else timezone.localdate().year)
    try:
        made = actions.copy_year(org, source, target, acting_user=request.user)
    except DomainError as error:
        messages.error(request, "；".join(error.errors.values()) or error.message)
    else:
        messages.success(
            request,
            gettext("已沿用%(from)s年的%(n)d份清单，事项状态已重置为未开始，请逐项修改。")
            % {"from": source, "n": len(made)},
        )
    return redirect(back)


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The list's items as an Excel file (audited by the export engine)."""
    duty_list = get_scoped(request, ResponsibilityList, EXPORT, pk=pk)
    name = f"{duty_list.organization.name}{duty_list}"
    return export_response(request, duty_list.items.all(), EXPORT_COLUMNS, name=name)


urlpatterns: list[URLPattern] = [
    path("lists/", index, name="lists"),
    path("lists/add/", add, name="list_add"),
    path("lists/copy/", copy, name="lists_copy"),
    path("lists/<int:pk>/", detail, name="list"),
    path("lists/<int:pk>/export/", export, name="list_export"),
    path("lists/<int:list>/items/add/", item_add, name="item_add"),
    path("lists/items/<int:item>/edit/", item_edit, name="item_edit"),
    path("lists/items/<int:item>/delete/", item_delete, name="item_delete"),
]
