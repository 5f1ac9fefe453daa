"""Scans attached to a case's steps (application letters, minutes, certificates…).

An upload is a state change like any other: it goes through `domain_action`, is audited,
and is refused with a Chinese message when the file is too large or not a PDF/JPEG/PNG.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.scope import CHANGE, covers
from dangjian.core.uploads import check_scan, stored_name
from dangjian.recruitment.models import Attachment, Case
from dangjian.recruitment.steps import BY_NUMBER


@domain_action("recruitment.attachment.add", _("上传发展材料"))
def add_attachment(
    case: Case, step: int, title: str, file: UploadedFile, *, acting_user: Any
) -> Attachment:
    """Attach a scan to step `step` of the case (PDF, JPEG or PNG, at most 10 MB)."""
    if acting_user is not None and not covers(acting_user, Case, CHANGE, case.organization.path):
        raise DomainError(gettext("您无权办理该党组织的发展党员工作。"))
    if step not in BY_NUMBER:
        raise DomainError({"step": gettext("步骤应为1至25。")})
    title = (title or "").strip()
    if not title:
        raise DomainError({"title": gettext("请填写材料名称。")})
    if len(title) > 100:
        raise DomainError({"title": gettext("不能超过%(n)d个字。") % {"n": 100}})
    if file is None:
        raise DomainError({"file": gettext("请选择要上传的文件。")})
    try:
        extension = check_scan(file)
    except ValueError as error:
        raise DomainError({"file": str(error)}) from None
    file.name = stored_name(extension)
    attachment = Attachment(
        case=case, step=step, title=title, size=file.size or 0, uploaded_by=acting_user
    )
    attachment.file.save(file.name, file, save=False)
    attachment.save()
    track(attachment, detail={"step": step, "title": title, "size": attachment.size})
    return attachment
