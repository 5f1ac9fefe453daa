"""Models of plans and tasks, responsibility lists, and problem lists (split by topic)."""

from dangjian.tasks.models.lists import ListItem, ResponsibilityList
from dangjian.tasks.models.plans import Milestone, Plan, ReportFile, Task, TaskReport
from dangjian.tasks.models.problems import Problem, ProblemFile, ProblemLog

__all__ = [
    "ListItem",
    "Milestone",
    "Plan",
    "Problem",
    "ProblemFile",
    "ProblemLog",
    "ReportFile",
    "ResponsibilityList",
    "Task",
    "TaskReport",
]
