"""URLs of tasks (督办整改): each views module lists its own patterns.

plans: plans (list; ?within ?status ?q ?export=xlsx), plan_add, plan <pk>, plan_edit <pk>,
    plan_issue <pk> (POST), plan_close <pk> (POST), plan_delete <pk>, plan_board <pk>
    (progress by unit), task_add <plan>, task <pk>, task_edit <pk>, task_delete <pk>,
    task_split <pk>, task_report <pk> (progress or a claim for acceptance, with files),
    report_check <report> (POST accept|return), milestone_reach <milestone> (POST),
    report_file <file> (download), tasks (tasks across plans; ?within ?plan ?status ?overdue=1
    ?deadline_from ?deadline_to ?top=1 ?export=xlsx), my_tasks (tasks my units lead)
problems: problems (list; ?within ?issuer ?unit ?year ?level ?source ?category ?status
    ?recurring=1 ?overdue=1 ?listed_from ?listed_to ?closed_from ?closed_to),
    problem_add, problem <pk>, problem_ledger <pk>, problem_progress <pk>, problem_submit <pk>,
    problem_verify <pk> (POST accept|return), problem_reopen <pk> (POST), problem_delete <pk>,
    problem_file <file> (download), problems_ledger (整改台账 Excel with the list's filters)
lists: lists (index: ?org ?year), list_add, list <pk> (items), item_add <list>,
    item_edit <item>, item_delete <item>, lists_copy (POST org, from_year, to_year),
    list_export <pk>
"""

from django.urls import URLPattern, URLResolver

from dangjian.tasks.views import lists, plans, problems

app_name = "tasks"
urlpatterns: list[URLPattern | URLResolver] = [
    *plans.urlpatterns,
    *problems.urlpatterns,
    *lists.urlpatterns,
]
