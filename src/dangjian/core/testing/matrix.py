"""The generic permission matrix (after NetBox's utilities/testing/views.py).

Each app declares its web views in `<app>/tests/endpoints.py` and its API operations in
`<app>/tests/api_endpoints.py`, each as a list `ENDPOINTS` of `Endpoint`. The matrix test requests each one as every persona on the small
test tree and checks the answer: allowed personas get their page (2xx, or a redirect that is
not to the login page), personas who may see the object but not act get 403, personas outside
the object's scope get 404, anonymous visitors are sent to login (web) or get 401 (API).
A coverage test fails when a URL pattern or API operation is declared nowhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dangjian.core.testing.personas import PERSONA_GRANTS, Tree

PERSONAS = ["anonymous", *PERSONA_GRANTS]
OK, FORBIDDEN, NOT_FOUND, LOGIN = "ok", "forbidden", "not_found", "login"


@dataclass(frozen=True)
class Endpoint:
    """One view or API operation and who may use it.

    `url_name` is the Django URL name (web) or, for the API, the path template as in the
    OpenAPI document (`/api/v1/organizations/{org_id}`) with `api=True`.
    `args(tree)` gives the URL arguments; `data(tree)` the request body for POST/PUT/PATCH.
    `ok` personas succeed; `not_found` get 404; everyone else (but anonymous) gets 403.
    """

    url_name: str
    ok: frozenset[str] | set[str]
    method: str = "GET"
    args: Callable[[Tree], dict[str, Any]] = lambda tree: {}
    data: Callable[[Tree], Any] | None = None
    not_found: frozenset[str] | set[str] = frozenset()
    api: bool = False
    note: str = ""
    content_type: str = "application/json"
    extra: dict[str, Any] = field(default_factory=dict)

    def expected(self, persona: str) -> str:
        if persona == "anonymous":
            return LOGIN
        if persona in self.ok:
            return OK
        if persona in self.not_found:
            return NOT_FOUND
        return FORBIDDEN

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}"


STAFF = frozenset({"univ", "committee", "secretary"})
BUSINESS = STAFF | {"member", "outsider"}
IN_C1 = frozenset({"univ", "committee", "secretary", "member"})

# URL names that are deliberately public or outside the matrix, with the reason.
PUBLIC_URLS: dict[str, str] = {
    "accounts:login": "the login page itself",
    "set_language": "language switch works before login",
    "api:openapi-json": "the API description is public; every operation checks auth",
    "api:openapi-view": "the API docs page is public",
    "api:issue_token": "the token endpoint authenticates with username and password",
    "appraisals:code": "voters without an account enter a printed single-use code",
    "appraisals:code_vote": "voters without an account vote with a printed single-use code",
}


def all_endpoints() -> list[Endpoint]:
    """Every app's declared endpoints."""
    from importlib import import_module

    from django.apps import apps

    found: list[Endpoint] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian."):
            continue
        for module_name in ("endpoints", "api_endpoints"):
            name = f"{config.name}.tests.{module_name}"
            try:
                module = import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue
            found.extend(module.ENDPOINTS)
    return found


def cases(endpoints: Iterable[Endpoint]) -> list[tuple[Endpoint, str]]:
    """(endpoint, persona) pairs for parametrization."""
    return [(endpoint, persona) for endpoint in endpoints for persona in PERSONAS]
