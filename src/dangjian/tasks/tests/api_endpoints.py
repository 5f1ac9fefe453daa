"""The tasks app's API operations in the permission matrix, gathered from one module per topic
(api_endpoints_plans, api_endpoints_problems, api_endpoints_lists)."""

from __future__ import annotations

from importlib import import_module

from dangjian.core.testing.matrix import Endpoint

ENDPOINTS: list[Endpoint] = []
for _topic in ("plans", "problems", "lists"):
    try:
        _module = import_module(f"dangjian.tasks.tests.api_endpoints_{_topic}")
    except ModuleNotFoundError as error:  # a topic whose endpoints are not written yet
        if error.name != f"dangjian.tasks.tests.api_endpoints_{_topic}":
            raise
        continue
    ENDPOINTS += _module.ENDPOINTS
