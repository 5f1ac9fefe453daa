"""What the models of tasks share: who may do what, and the uploaded-file fields."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import COMMITTEE, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, VIEW

STAFF_ACTIONS: frozenset[str] = frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT})
# Plans, lists and problems are the work of staff and secretaries; members see none of them.
STAFF: dict[str, frozenset[str]] = {
    UNIVERSITY: STAFF_ACTIONS,
    COMMITTEE: STAFF_ACTIONS,
    SECRETARY: STAFF_ACTIONS,
}


def user_field(label: Any, related_name: str = "+") -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=label,
    )


class StoredFile(models.Model):
    """An evidence file (PDF, JPEG or PNG, checked by content, stored under a random name)."""

    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="tasks/%Y/%m/")
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = user_field(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title
