"""Scans of a case's steps: upload (through `attachments.add_attachment`) and download.

Downloads are served only to users who see the case (404 outside scope) and never cached
publicly; the stored names are random, the title names the document.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext

from dangjian.core.permissions import get_scoped
from dangjian.core.scope import CHANGE, VIEW
from dangjian.core.uploads import scan_type
from dangjian.core.views.forms import action_form
from dangjian.recruitment.attachments import add_attachment
from dangjian.recruitment.forms import AttachmentForm
from dangjian.recruitment.models import Attachment, Case
from dangjian.recruitment.views.cases import case_crumbs


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_scoped(request, Case, CHANGE, pk=pk)
    initial: dict[str, Any] = {}
    if request.GET.get("step", "").isdigit():
        initial["step"] = int(request.GET["step"])
    form = AttachmentForm(request.POST or None, request.FILES or None, initial=initial)
    detail_url = reverse("recruitment:detail", args=[case.pk])
    title = gettext("上传发展材料")
    return action_form(
        request,
        form,
        lambda data: add_attachment(
            case, data["step"], data["title"], data["file"], acting_user=request.user
        ),
        success=gettext("已上传。"),
        next_url=detail_url,
        template="recruitment/case_form.html",
        case=case,
        person=case.person,
        page_title=title,
        breadcrumbs=case_crumbs(case, (title, "")),
        intro=gettext("扫描件应为PDF、JPG或PNG格式，不超过10MB。"),
        submit_label=gettext("上传"),
        cancel_url=detail_url,
        multipart=True,
    )


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_scoped(request, Attachment, VIEW, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("文件不存在。")) from None
    kind = scan_type(handle.read(16))
    handle.seek(0)
    extension = kind[0] if kind else "bin"
    response = FileResponse(
        handle,
        content_type=kind[1] if kind else "application/octet-stream",
        filename=f"{attachment.title}.{extension}",
        as_attachment=False,
    )
    response["Cache-Control"] = "private, no-store"
    return response
