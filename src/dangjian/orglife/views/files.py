"""Photos and attachments of an event: upload (through `actions.add_file`) and download.

Files are served only to users who see the event (404 outside scope), never cached
publicly, with the content type read from the file itself, not from its stored name.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from dangjian.core.permissions import get_scoped
from dangjian.core.scope import CHANGE, VIEW
from dangjian.core.uploads import scan_type
from dangjian.core.views.forms import action_form
from dangjian.orglife import actions
from dangjian.orglife.forms import FileForm
from dangjian.orglife.models import Event, EventFile
from dangjian.orglife.views.attendance import event_crumbs


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request, Event, CHANGE, pk=pk)
    initial = {"kind": request.GET.get("kind") or EventFile.PHOTO}
    form = FileForm(request.POST or None, request.FILES or None, initial=initial)
    detail_url = reverse("orglife:event", args=[event.pk])
    title = gettext("上传照片或附件")
    return action_form(
        request,
        form,
        lambda data: actions.add_file(
            event, data["kind"], data["title"], data.get("file"), acting_user=request.user
        ),
        success=gettext("已上传。"),
        next_url=detail_url,
        page_title=title,
        breadcrumbs=event_crumbs(event, (title, "")),
        intro=gettext(
            "照片应为JPG或PNG格式；附件（签到表、会议记录扫描件、课件）可为PDF、JPG或PNG；每个文件不超过10MB。"
        ),
        submit_label=gettext("上传"),
        cancel_url=detail_url,
    )


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    stored = get_scoped(request, EventFile, VIEW, pk=pk)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("文件不存在。")) from None
    kind = scan_type(handle.read(16))
    handle.seek(0)
    extension = kind[0] if kind else "bin"
    response = FileResponse(
        handle,
        content_type=kind[1] if kind else "application/octet-stream",
        filename=f"{stored.title}.{extension}",
        as_attachment=False,
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("events/<int:pk>/files/add/", upload, name="file_add"),
    path("files/<int:pk>/", download, name="file"),
]
