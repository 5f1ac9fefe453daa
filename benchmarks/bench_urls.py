"""The application's URLs plus /bench/ok, the floor every request of the benchmark pays.

The minimal view runs in the same server process, behind the same middleware, so the ratio
of ballot submissions to it is the cost of a vote itself (API, validation, queries).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path


def ok(request: HttpRequest) -> HttpResponse:
    """The smallest Django view: no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/ok", ok),
    path("", include("dangjian.urls")),
]
