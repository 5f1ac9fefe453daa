"""Plans and checkable tasks, responsibility lists, problem lists and rectification
(督办 and 整改; domain.md §1)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "dangjian.tasks"
    label = "tasks"
    verbose_name = _("督办整改")

    def ready(self) -> None:
        from dangjian.tasks import figures, reminders, rules  # noqa: F401
