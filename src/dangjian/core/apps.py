"""Core app: scope, audit, actions, rules, import/export, figures, notifications, UI base."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        """Load each app's figures, menu entries and rules so the registries are complete."""
        from dangjian.core import checks  # noqa: F401

        autodiscover_modules("figures")
        autodiscover_modules("menu")
        autodiscover_modules("rules")
        autodiscover_modules("reminders")
