"""Members: the registry of people, party members and cadres (domain.md §3, §7, §8)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self) -> None:
        from dangjian.members import counts, figures, reminders, rules  # noqa: F401
        from dangjian.members.actions import move_people_on_merge, people_keep_organization
        from dangjian.orgs.actions import dissolve_checks, merge_handlers

        if move_people_on_merge not in merge_handlers:
            merge_handlers.append(move_people_on_merge)
        if people_keep_organization not in dissolve_checks:
            dissolve_checks.append(people_keep_organization)
