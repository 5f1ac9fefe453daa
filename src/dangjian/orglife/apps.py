"""Organizational life (组织生活): 三会一课, theme days, lectures, study, activities (domain.md §4)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = _("组织生活")

    def ready(self) -> None:
        from dangjian.orglife import figures, menu, reminders, rules  # noqa: F401
