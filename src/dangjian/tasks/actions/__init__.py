"""Every state change of plans, tasks, responsibility lists and problems (split by topic;
import from here)."""

from __future__ import annotations

from dangjian.tasks.actions.lists import copy_year, create_list, delete_item, delete_list, save_item
from dangjian.tasks.actions.plans import (
    check_report,
    close_plan,
    create_plan,
    delete_plan,
    delete_task,
    issue_plan,
    reach_milestone,
    report_progress,
    save_task,
    split_task,
    update_plan,
)
from dangjian.tasks.actions.problems import (
    delete_problem,
    find_recurrence,
    list_problem,
    open_ledger,
    record_progress,
    reopen,
    submit_closure,
    verify,
)

__all__ = [
    "check_report",
    "close_plan",
    "copy_year",
    "create_list",
    "create_plan",
    "delete_item",
    "delete_list",
    "delete_plan",
    "delete_problem",
    "delete_task",
    "find_recurrence",
    "issue_plan",
    "list_problem",
    "open_ledger",
    "reach_milestone",
    "record_progress",
    "reopen",
    "report_progress",
    "save_item",
    "save_task",
    "split_task",
    "submit_closure",
    "update_plan",
    "verify",
]
