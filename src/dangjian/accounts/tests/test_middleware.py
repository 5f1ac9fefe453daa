"""Accounts with a temporary password may do nothing but change it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts.middleware import MUST_CHANGE_MESSAGE
from dangjian.accounts.models import User
from dangjian.core.testing.personas import PASSWORD

NEW = "Changed-Passw0rd!"


@pytest.fixture
def fresh(personas, account_middleware) -> Client:
    """The member, told to change the password, logged in through the login page."""
    User.objects.filter(username="member").update(must_change_password=True)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("url", ["/", "/orgs/", "/notifications/", "/accounts/users/"])
def test_pages_redirect_to_the_profile(fresh, url):
    response = fresh.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")


def test_posts_redirect_too(fresh):
    response = fresh.post(reverse("core:notifications"))
    assert response["Location"] == reverse("accounts:profile")


def test_profile_logout_and_language_stay_open(fresh):
    page = fresh.get(reverse("accounts:profile"))
    assert page.status_code == 200 and "请先修改密码" in page.content.decode()
    response = fresh.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/accounts/profile/"}
    )
    assert response["Location"] == "/accounts/profile/"
    assert fresh.post(reverse("accounts:logout")).status_code == 200


def test_static_files_are_not_redirected(fresh):
    response = fresh.get("/static/dangjian/app.css")
    assert response.status_code != 302


def test_api_answers_403_in_chinese(fresh):
    response = fresh.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json() == {"detail": MUST_CHANGE_MESSAGE}


def test_htmx_requests_are_told_where_to_go(fresh):
    response = fresh.get("/orgs/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("accounts:profile")


def test_changing_the_password_opens_everything(fresh):
    response = fresh.post(
        reverse("accounts:profile"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW,
            "new_password2": NEW,
        },
    )
    assert response.status_code == 302
    assert fresh.get("/").status_code == 200
    assert fresh.get("/api/v1/me").status_code == 200


def test_other_users_are_not_affected(login, account_middleware):
    assert login("univ").get("/").status_code == 200
    assert login("univ").get("/api/v1/me").status_code == 200
