"""The English catalog is complete and compiled, English renders, Chinese stays the default."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

import dangjian

LOCALE = Path(dangjian.__file__).parent / "locale" / "en" / "LC_MESSAGES"
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f|\{[\w\[\]]+\}")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@pytest.fixture(autouse=True)
def _restore_language():
    """A request leaves its language active in the thread; do not leak English to other tests."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[Entry]:
    """A small .po parser: enough for this project's catalog (no plurals)."""
    entries: list[Entry] = []
    entry, current = Entry(), ""

    def flush() -> None:
        nonlocal entry, current
        if entry.msgid or entry.msgstr or entry.line:
            entries.append(entry)
        entry, current = Entry(), ""

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ")):
            current, _, rest = line.partition(" ")
            assert current != "msgid_plural", "plural forms are not expected"
            if current == "msgid":
                entry.line = number
            value = _unquote(rest)
            if current == "msgctxt":
                entry.msgctxt = value
            else:
                setattr(entry, current, value)
        elif line.startswith('"'):
            if current == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + _unquote(line)
            else:
                setattr(entry, current, getattr(entry, current) + _unquote(line))
    flush()
    return entries


def messages() -> list[Entry]:
    return [entry for entry in parse_po(LOCALE / "django.po") if entry.msgid]


def test_catalog_is_complete_and_not_fuzzy():
    entries = messages()
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries if not e.msgstr.strip()]
    fuzzy = [e.msgid for e in parse_po(LOCALE / "django.po") if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_placeholders_and_are_english():
    for entry in messages():
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ), entry.msgid
        assert not HAN.search(_without_quoted_examples(entry.msgstr)), entry.msgid


def _without_quoted_examples(text: str) -> str:
    # Chinese input the importer accepts ("是", "2023年7月1日", "组织名称") is quoted as is.
    return re.sub(r'"[^"]*"|\d{4}年\d{1,2}月\d{1,2}日|是/否|是|否', "", text)


def test_compiled_catalog_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = {k: v for k, v in compiled._catalog.items() if k}  # type: ignore[attr-defined]
    expected = {
        (f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid): e.msgstr
        for e in messages()
    }
    assert catalog == expected, "run `dangjian compilemessages` after editing django.po"


def test_the_default_language_is_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("en"):
        assert translation.gettext("组织架构") == "Organization tree"
        assert translation.gettext("党支部") == "Party branch"


def _english(client: Client) -> Client:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _menu(html: str) -> str:
    match = re.search(r'<nav class="dj-sidebar[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert match, "sidebar menu not found"
    return match.group(1)


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_login_page_in_english():
    html = _text(_english(Client()).get(reverse("accounts:login")))
    assert "Party Building Platform" in html
    assert "Sign in" in html
    assert '<html lang="en">' in html
    visible = re.sub(r"<[^>]+>", "", html.replace("中文", ""))
    assert not HAN.search(visible), HAN.findall(visible)[:20]


@pytest.mark.django_db
def test_pages_in_english(login, tree):
    client = _english(login("univ"))
    home = _text(client.get(reverse("core:home")))
    menu = _menu(home)
    for label in ("Home", "Organizations", "Organization tree", "Party organizations"):
        assert label in menu
    assert not HAN.search(menu), HAN.findall(menu)
    assert "Party branches by type" in home

    tree_page = _text(client.get(reverse("orgs:tree")))
    assert "Organization tree" in tree_page
    assert "Show dissolved and merged organizations" in tree_page

    detail = _text(client.get(reverse("orgs:detail", args=[tree.b1.pk])))
    for words in ("Basic information", "Organization code", "Parent organization", "Party branch"):
        assert words in detail
    assert "基本信息" not in detail

    listing = _text(client.get(reverse("orgs:list")))
    assert "All levels" in listing


@pytest.mark.django_db
def test_audit_list_in_english(login):
    html = _text(_english(login("auditor")).get(reverse("audit:list")))
    for words in ("Audit log", "Verify audit chain", "Export Excel", "Category"):
        assert words in html
    assert not HAN.search(_menu(html))


@pytest.mark.django_db
def test_chinese_is_the_default(login, tree):
    client = login("univ")
    home = _text(client.get(reverse("core:home")))
    assert "组织架构" in _menu(home)
    assert "Organization tree" not in home
    detail = _text(client.get(reverse("orgs:detail", args=[tree.b1.pk])))
    assert "基本信息" in detail
    assert '<html lang="zh-hans">' in detail


@pytest.mark.django_db
def test_switching_back_to_chinese(login):
    client = _english(login("univ"))
    assert "Organization tree" in _text(client.get(reverse("core:home")))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "组织架构" in _text(client.get(reverse("core:home")))


@pytest.mark.django_db
def test_api_messages_follow_accept_language(login):
    client = login("univ")
    response = client.get("/api/v1/figures/no.such", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in {404, 422}
    assert "Unknown figure" in response.json()["detail"]
    response = client.get("/api/v1/figures/no.such")
    assert "未知的统计指标" in response.json()["detail"]
