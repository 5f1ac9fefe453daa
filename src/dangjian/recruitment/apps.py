"""Recruitment (发展党员): the 25-step pipeline from application to conversion (domain.md §3)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    label = "recruitment"
    verbose_name = _("发展党员")

    def ready(self) -> None:
        from dangjian.recruitment import figures, menu, reminders, rules  # noqa: F401
