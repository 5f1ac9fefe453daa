"""Fixtures shared by the whole suite: the small tree and the named personas."""

from __future__ import annotations

import pytest
from django.test import Client

from dangjian.core.testing.personas import PASSWORD, Tree, build_personas, build_tree


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path):
    """Rules and grants are cached; every test starts clean. Passwords hash fast in tests."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")

    from dangjian.core import rules

    cache.clear()
    rules.invalidate()
    yield
    cache.clear()
    rules.invalidate()


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def personas(tree):
    return build_personas(tree)


@pytest.fixture
def login(client_factory):
    """login('univ') -> a test client signed in as that persona."""
    return client_factory


@pytest.fixture
def client_factory(personas):
    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(personas[name])
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
