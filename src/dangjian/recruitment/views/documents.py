"""Downloads of a case's Word forms and its dossier: export permission, audited like every
export, with a Chinese file name.

Routes (wired in `recruitment/urls.py`):
    <int:pk>/documents/<str:kind>/  name "document"
    <int:pk>/dossier/               name "dossier"
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from dangjian.core import audit
from dangjian.core.io.export import attachment_name
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import EXPORT
from dangjian.recruitment import documents, documents_dossier
from dangjian.recruitment.models import Case


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """The file as an attachment; the name RFC 5987-encoded as the export engine does."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _audit(request: HttpRequest, case: Case, what: str, fmt: str) -> None:
    audit.record_security(
        "security.export",
        actor=request.user,
        obj=case,
        object_repr=f"{case.person.name} {what}",
        detail={"document": what, "format": fmt},
    )


@login_required
@require_GET
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One standard form of the case (kind: a key of `documents.KINDS`)."""
    case = get_scoped(request, Case, EXPORT, pk=pk)
    spec = documents.KINDS.get(kind)
    if spec is None:
        raise Http404(gettext("没有这种文书。"))
    content = documents.render(case, kind)
    _audit(request, case, kind, "docx")
    name = attachment_name(f"{case.person.name}_{spec.label}", "docx")
    return _download(content, name, documents.DOCX_TYPE)


@login_required
@require_GET
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's dossier: a .docx, or a .zip with the scans when there are any."""
    case = get_scoped(request, Case, EXPORT, pk=pk)
    result = documents_dossier.build(case)
    _audit(request, case, "dossier", result.ext)
    name = attachment_name(f"{case.person.name}_{gettext('发展党员档案')}", result.ext)
    return _download(result.content, name, result.content_type)
