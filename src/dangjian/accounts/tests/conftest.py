"""Fixtures of the accounts tests: the login-security middleware switched on."""

from __future__ import annotations

import pytest

ACCOUNT_MIDDLEWARE = [
    "dangjian.accounts.middleware.SessionLifetimeMiddleware",
    "dangjian.accounts.middleware.MustChangePasswordMiddleware",
]
AFTER = "dangjian.core.middleware.SessionTimeoutMiddleware"


@pytest.fixture
def account_middleware(settings):
    """MIDDLEWARE with the accounts middleware right after the idle timeout (as in production)."""
    stack = [name for name in settings.MIDDLEWARE if name not in ACCOUNT_MIDDLEWARE]
    at = stack.index(AFTER) + 1
    settings.MIDDLEWARE = stack[:at] + ACCOUNT_MIDDLEWARE + stack[at:]
    return settings


CHINESE_VALIDATORS = [
    {"NAME": "dangjian.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "dangjian.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dangjian.accounts.validators.CharacterClassValidator"},
]


@pytest.fixture
def chinese_validators(settings):
    """The password validators as settings.py lists them (see test_settings_*)."""
    settings.AUTH_PASSWORD_VALIDATORS = CHINESE_VALIDATORS
    return settings
