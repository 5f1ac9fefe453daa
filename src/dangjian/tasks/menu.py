"""Menu entries of tasks (督办整改): my tasks, plans, tasks across plans, problem lists and
responsibility lists (staff and secretaries; members see none of them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.scope import VIEW, can
from dangjian.tasks.models import Plan, Problem, ResponsibilityList, Task


def _plans(user: object) -> bool:
    return can(user, Plan, VIEW)


def _tasks(user: object) -> bool:
    return can(user, Task, VIEW)


def _problems(user: object) -> bool:
    return can(user, Problem, VIEW)


def _lists(user: object) -> bool:
    return can(user, ResponsibilityList, VIEW)


add_group("tasks", _("督办整改"), 45, "flag")
add_item("tasks", MenuItem(_("我的任务"), "tasks:my_tasks", "inbox", _tasks, "/tasks/my/"))
add_item("tasks", MenuItem(_("实施方案"), "tasks:plans", "kanban", _plans, "/tasks/plans/"))
add_item("tasks", MenuItem(_("任务督办"), "tasks:tasks", "list-task", _tasks, "/tasks/tasks/"))
add_item(
    "tasks",
    MenuItem(_("问题清单"), "tasks:problems", "exclamation-diamond", _problems, "/tasks/problems/"),
)
add_item("tasks", MenuItem(_("责任清单"), "tasks:lists", "card-checklist", _lists, "/tasks/lists/"))
