"""The audit administrator's pages: search, detail, export and chain verification."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit
from dangjian.core.filters import AuditEventFilter
from dangjian.core.io.export import ExportColumn
from dangjian.core.models import AuditEvent
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import VIEW
from dangjian.core.text import Text
from dangjian.core.views.generic import ScopedListView

CRUMB = (_("审计日志"), "/audit/")


class AuditEventListView(ScopedListView):
    model = AuditEvent
    template_name = "core/audit_list.html"
    filterset_class = AuditEventFilter
    page_title = _("审计日志")
    export_name = _("审计日志")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [CRUMB]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("序号"), "seq", 8),
        ExportColumn(_("时间"), "occurred_at", 20),
        ExportColumn(_("操作人"), "actor_name", 14),
        ExportColumn(_("来源地址"), "ip_address", 16),
        ExportColumn(_("类别"), "category", 10),
        ExportColumn(_("操作"), "action", 30),
        ExportColumn(_("对象类型"), "object_type", 20),
        ExportColumn(_("对象编号"), "object_id", 10),
        ExportColumn(_("对象"), "object_repr", 30),
        ExportColumn(_("结果"), lambda e: _("成功") if e.success else gettext("失败"), 8),
        ExportColumn(_("说明"), "message", 30),
        ExportColumn(
            _("变更"), lambda e: json.dumps(e.changes, ensure_ascii=False) if e.changes else "", 40
        ),
        ExportColumn(_("校验码"), "mac", 20),
    ]

    def base_queryset(self) -> Any:
        return self.scoped_queryset().order_by("-seq")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request, AuditEvent, VIEW, pk=pk)
    changes = [(name, values[0], values[1]) for name, values in (event.changes or {}).items()]
    return render(
        request,
        "core/audit_detail.html",
        {
            "event": event,
            "changes": changes,
            "page_title": gettext("审计记录 #%(seq)s") % {"seq": event.seq},
            "breadcrumbs": [CRUMB, (f"#{event.seq}", "")],
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Walk the whole chain now and show the first break, if any (the check is audited)."""
    require(request, AuditEvent, VIEW)
    started = timezone.now()
    count, problem = audit.verify_chain()
    elapsed = (timezone.now() - started).total_seconds()
    audit.record_security(
        "audit.verify",
        actor=request.user,
        success=problem is None,
        message="日志链完整" if problem is None else problem.reason,
        detail={"rows": count, "first_bad_seq": problem.seq if problem else None},
    )
    return render(
        request,
        "core/audit_verify.html",
        {
            "count": count,
            "problem": problem,
            "elapsed": elapsed,
            "page_title": gettext("日志链校验"),
            "breadcrumbs": [CRUMB, (gettext("日志链校验"), "")],
        },
    )
