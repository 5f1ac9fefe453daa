"""Every declared view and API operation, requested as every persona (see core/testing/matrix)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core.testing.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    PUBLIC_URLS,
    Endpoint,
    all_endpoints,
    cases,
)

ENDPOINTS = all_endpoints()


def _url(endpoint: Endpoint, tree: Any) -> str:
    args = endpoint.args(tree)
    if endpoint.api:
        return endpoint.url_name.format(**args)
    return reverse(endpoint.url_name, kwargs=args)


def _request(client: Client, endpoint: Endpoint, url: str, tree: Any) -> Any:
    data = endpoint.data(tree) if endpoint.data else None
    method = endpoint.method.lower()
    if endpoint.api and data is not None:
        return getattr(client, method)(
            url, data=json.dumps(data), content_type=endpoint.content_type
        )
    if data is not None:
        return getattr(client, method)(url, data=data)
    return getattr(client, method)(url)


@pytest.mark.parametrize(
    ("endpoint", "persona"), cases(ENDPOINTS), ids=[f"{e.id}-{p}" for e, p in cases(ENDPOINTS)]
)
def test_permission_matrix(endpoint: Endpoint, persona: str, tree: Any, personas: Any) -> None:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    url = _url(endpoint, tree)
    response = _request(client, endpoint, url, tree)
    expected = endpoint.expected(persona)
    status = response.status_code
    to_login = status == 302 and "/accounts/login/" in response.get("Location", "")
    if expected == LOGIN:
        assert (status == 401) if endpoint.api else to_login, (url, status)
    elif expected == OK:
        assert status < 400 and not to_login, (url, persona, status, response.content[:500])
    elif expected == FORBIDDEN:
        assert status == 403, (url, persona, status)
    elif expected == NOT_FOUND:
        assert status == 404, (url, persona, status)


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_view_joins_the_matrix() -> None:
    declared = {e.url_name for e in ENDPOINTS if not e.api}
    web_names = {name for name in _url_names(get_resolver()) if not name.startswith("api:")}
    missing = web_names - declared - set(PUBLIC_URLS)
    assert not missing, f"views not in any tests/endpoints.py: {sorted(missing)}"


def test_every_api_operation_joins_the_matrix() -> None:
    from dangjian.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    declared = {(e.method.upper(), e.url_name) for e in ENDPOINTS if e.api}
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            public = f"api:{operation.get('operationId', '').split('_api_', 1)[-1]}"
            if (method.upper(), path) not in declared and "/auth/token" not in path:
                missing.append(f"{method.upper()} {path} ({public})")
    assert not missing, f"API operations not in any tests/endpoints.py: {missing}"
