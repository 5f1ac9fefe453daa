"""The audit administrator's pages: search, detail, export and chain verification."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.filters import AuditEventFilter
from dangjian.core.io.export import ExportColumn
from dangjian.core.models import AuditEvent
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import VIEW
from dangjian.core.views.generic import ScopedListView

CRUMB = ("审计日志", "/audit/")


class AuditEventListView(ScopedListView):
    model = AuditEvent
    template_name = "core/audit_list.html"
    filterset_class = AuditEventFilter
    page_title = "审计日志"
    export_name = "审计日志"
    breadcrumbs: ClassVar[list[tuple[str, str]]] = [CRUMB]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn("序号", "seq", 8),
        ExportColumn("时间", "occurred_at", 20),
        ExportColumn("操作人", "actor_name", 14),
        ExportColumn("来源地址", "ip_address", 16),
        ExportColumn("类别", "category", 10),
        ExportColumn("操作", "action", 30),
        ExportColumn("对象类型", "object_type", 20),
        ExportColumn("对象编号", "object_id", 10),
        ExportColumn("对象", "object_repr", 30),
        ExportColumn("结果", lambda e: "成功" if e.success else "失败", 8),
        ExportColumn("说明", "message", 30),
        ExportColumn(
            "变更", lambda e: json.dumps(e.changes, ensure_ascii=False) if e.changes else "", 40
        ),
        ExportColumn("校验码", "mac", 20),
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
            "page_title": f"审计记录 #{event.seq}",
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
            "page_title": "日志链校验",
            "breadcrumbs": [CRUMB, ("日志链校验", "")],
        },
    )
