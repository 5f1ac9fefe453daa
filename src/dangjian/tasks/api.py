"""The API of tasks (督办整改): plans and tasks, problems, responsibility lists.

One router, filled by one module per topic (api_plans, api_problems, api_lists). Reads go
through `restrict()`; records outside the caller's scope are 404; every change calls
`tasks.actions`, and refusals are 422 with a Chinese message.
"""

from __future__ import annotations

from importlib import import_module

from ninja import Router

router = Router(tags=["督办整改"])

for _topic in ("plans", "problems", "lists"):
    try:
        import_module(f"dangjian.tasks.api_{_topic}")
    except ModuleNotFoundError as error:  # a topic whose API is not written yet
        if error.name != f"dangjian.tasks.api_{_topic}":
            raise
