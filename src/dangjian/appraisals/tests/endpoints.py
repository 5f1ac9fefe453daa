"""The appraisal web views in the permission matrix, gathered from one module per topic
(each views module has its endpoints_<topic>.py)."""

from __future__ import annotations

from importlib import import_module

from dangjian.core.testing.matrix import Endpoint

ENDPOINTS: list[Endpoint] = []
for _topic in ("campaigns", "setup", "voting", "results"):
    try:
        _module = import_module(f"dangjian.appraisals.tests.endpoints_{_topic}")
    except ModuleNotFoundError as error:  # a topic whose pages are not written yet
        if error.name != f"dangjian.appraisals.tests.endpoints_{_topic}":
            raise
        continue
    ENDPOINTS += _module.ENDPOINTS
