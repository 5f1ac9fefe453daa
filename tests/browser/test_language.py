"""Switching the interface language to English and back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(page_as, world, shot):
    page = page_as("univ")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator(".dj-sidebar").get_by_role("link", name="组织架构").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("org-tree")).to_be_visible()
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    menu = page.locator("nav.dj-sidebar").inner_text()
    assert "Organization tree" in menu and "组织架构" not in menu, menu
    shot(page, "language-01-english-tree")
    page.goto("/")
    expect(page.locator("#chart-kind canvas")).to_be_visible()
    shot(page, "language-02-english-home")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("nav.dj-sidebar")).to_contain_text("组织架构")
    expect(page.get_by_role("button", name="English")).to_be_visible()
