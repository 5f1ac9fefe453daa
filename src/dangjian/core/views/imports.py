"""Generic import pages: upload, template download, result, marked error file.

An app adds them with `urlpatterns += import_urls(MyImport)` (at the spec's `url_prefix`,
named after its `url_name`, so one app can have several imports); every page needs the IMPORT
grant on the spec's model, and a result (with its error file) is shown only to the user who
uploaded the file. What the import may touch is decided row by row by the actions.

A large file is imported by a background job (core/io/jobs.py); its result page shows the
progress ("正在导入… n/N") and polls with htmx until the result is there.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRefresh

from dangjian.core.io import jobs
from dangjian.core.io.export import XLSX_TYPE
from dangjian.core.io.importer import (
    CHECKING,
    CREATE,
    MARKING,
    MODE_LABELS,
    UPDATE,
    WRITING,
    ImportSpec,
    run_import,
)
from dangjian.core.io.results import RUNNING, load_result, open_error_file, save_result
from dangjian.core.io.template import template_bytes
from dangjian.core.permissions import require
from dangjian.core.scope import IMPORT
from dangjian.core.text import Text

R = TypeVar("R", HttpResponse, FileResponse)

MODE_HELP = {
    CREATE: _("逐行新建记录"),
    UPDATE: _("按“%(key)s”找到已有记录，只改表中出现的列"),
}
PHASE_LABELS = {
    CHECKING: _("正在检查数据"),
    WRITING: _("正在写入数据"),
    MARKING: _("发现错误，正在生成错误标注文件"),
}


class ImportForm(forms.Form):
    """The uploaded file and the import mode."""

    file = forms.FileField(
        label=_("选择文件"),
        error_messages={"required": _("请选择要导入的文件。"), "empty": _("上传的文件是空的。")},
    )
    mode = forms.ChoiceField(label=_("导入方式"), widget=forms.RadioSelect, initial=CREATE)

    def __init__(self, *args: Any, modes: list[str], key: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode_field: forms.ChoiceField = self.fields["mode"]  # type: ignore[assignment]
        mode_field.choices = [
            (mode, f"{MODE_LABELS[mode]}：{str(MODE_HELP[mode]) % {'key': key}}") for mode in modes
        ]


def _name(request: HttpRequest, spec: ImportSpec | type[ImportSpec], suffix: str = "") -> str:
    """A sibling URL name in the app's namespace (orgs:import_result …)."""
    match = request.resolver_match
    namespace = match.namespace if match else ""
    name = f"{spec.url_name}{suffix}"
    return f"{namespace}:{name}" if namespace else name


def _crumbs(spec: ImportSpec, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    first = (spec.label, reverse(spec.list_url_name)) if spec.list_url_name else (spec.label, "")
    return [first, *tail]


def _attachment(response: R, filename: str) -> R:
    """Mark a response as a download with a UTF-8 (Chinese) file name."""
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def upload(request: HttpRequest, spec: type[ImportSpec]) -> HttpResponse:
    """The upload form; a POST runs the import and redirects to its result page."""
    require(request, spec.model, IMPORT)
    importer = spec()
    key = importer.column(importer.key).header if importer.key else ""
    form = ImportForm(request.POST or None, request.FILES or None, modes=importer.modes, key=key)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        large, expected = jobs.in_background(uploaded, uploaded.name)
        if large:
            token = jobs.start(
                importer, uploaded, request.user, mode, file_name=uploaded.name, expected=expected
            )
        else:
            result = run_import(importer, uploaded, request.user, mode, file_name=uploaded.name)
            token = save_result(
                result, user=request.user, spec=importer, file_name=uploaded.name, mode=mode
            )
        return redirect(_name(request, importer, "_result"), token=token)
    required = importer.required_keys(CREATE)
    return render(
        request,
        "core/import_upload.html",
        {
            "form": form,
            "spec": importer,
            "columns": [(column, column.key in required) for column in importer.columns],
            "background_rows": jobs.limits()[0],
            "background_mb": f"{jobs.limits()[1] / 1048576:g}",
            "template_url": reverse(_name(request, importer, "_template")),
            "back_url": reverse(importer.list_url_name) if importer.list_url_name else "",
            "page_title": gettext("导入%(label)s") % {"label": importer.label},
            "breadcrumbs": _crumbs(
                importer, (gettext("导入%(label)s") % {"label": importer.label}, "")
            ),
        },
    )


@login_required
def template(request: HttpRequest, spec: type[ImportSpec]) -> HttpResponse:
    """The .xlsx template with headers, an example row and the instructions sheet."""
    require(request, spec.model, IMPORT)
    importer = spec()
    response = HttpResponse(template_bytes(importer), content_type=XLSX_TYPE)
    return _attachment(response, gettext("%(label)s导入模板.xlsx") % {"label": importer.label})


def _own_result(request: HttpRequest, spec: type[ImportSpec], token: UUID) -> dict[str, Any]:
    require(request, spec.model, IMPORT)
    summary = load_result(str(token), request.user, spec())
    if summary is None:
        raise Http404(gettext("未找到该导入结果，或它已过期。"))
    return summary


@login_required
def result(request: HttpRequest, spec: type[ImportSpec], token: UUID) -> HttpResponse:
    """Counts after a successful import, or the first errors and the marked file."""
    summary = _own_result(request, spec, token)
    importer = spec()
    upload_url = reverse(_name(request, importer))
    running = summary["state"] == RUNNING
    if getattr(request, "htmx", False):
        if not running:
            return HttpResponseClientRefresh()  # finished: show the whole result page
        return render(request, "core/_import_progress.html", _progress(summary))
    context: dict[str, Any] = {
        "summary": summary,
        "spec": importer,
        "mode_label": MODE_LABELS.get(summary["mode"], summary["mode"]),
        "upload_url": upload_url,
        "back_url": reverse(importer.list_url_name) if importer.list_url_name else "",
        "page_title": gettext("导入%(label)s：结果") % {"label": importer.label},
        "breadcrumbs": _crumbs(
            importer,
            (gettext("导入%(label)s") % {"label": importer.label}, upload_url),
            (gettext("导入结果"), ""),
        ),
    }
    if running:
        return render(request, "core/import_progress.html", {**context, **_progress(summary)})
    unchanged = summary["total"] - summary["created"] - summary["updated"]
    context["unchanged"] = unchanged if not summary["error_count"] else 0
    context["error_file_url"] = reverse(
        _name(request, importer, "_error_file"), kwargs={"token": token}
    )
    return render(request, "core/import_result.html", context)


def _progress(summary: dict[str, Any]) -> dict[str, Any]:
    """What the progress fragment shows: n/N, a percentage, the phase."""
    done, total = int(summary.get("done") or 0), summary.get("total")
    percent = min(100, int(done * 100 / total)) if total else None
    return {
        "done": done,
        "total": total,
        "percent": percent,
        "phase_label": PHASE_LABELS.get(summary.get("phase") or "", gettext("等待开始")),
    }


@login_required
def error_file(request: HttpRequest, spec: type[ImportSpec], token: UUID) -> FileResponse:
    """The uploaded rows with each bad cell marked (only for the user who uploaded them)."""
    summary = _own_result(request, spec, token)
    handle = open_error_file(str(token))
    if handle is None:
        raise Http404(gettext("该导入没有错误文件。"))
    stem = summary["file_name"].rsplit(".", 1)[0] or str(spec.label)
    return _attachment(
        FileResponse(handle, content_type=XLSX_TYPE),
        gettext("%(stem)s_错误标注.xlsx") % {"stem": stem},
    )


def import_urls(spec: type[ImportSpec], prefix: str | None = None) -> list[URLPattern]:
    """The four import routes for one record type: at `spec.url_prefix` (default "import/"),
    named `spec.url_name` (default "import"), `…_template`, `…_result`, `…_error_file`."""
    kwargs = {"spec": spec}
    prefix = spec.url_prefix if prefix is None else prefix
    name = spec.url_name
    return [
        path(prefix, upload, kwargs, name=name),
        path(f"{prefix}template/", template, kwargs, name=f"{name}_template"),
        path(f"{prefix}<uuid:token>/", result, kwargs, name=f"{name}_result"),
        path(f"{prefix}<uuid:token>/errors/", error_file, kwargs, name=f"{name}_error_file"),
    ]


__all__ = ["ImportForm", "error_file", "import_urls", "result", "template", "upload"]
