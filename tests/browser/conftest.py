"""Playwright harness: Debian's chromium against pytest-django's live server.

Run with `make test-browser` (`pytest -m browser -q tests/browser`). Every test logs in through
the login form as one persona of `dangjian.core.testing.personas`, walks a journey, and saves
full-page screenshots to tests/browser/screenshots/. With DANGJIAN_DOCS_SCREENSHOTS=1 the
curated ones are also written to docs/screenshots/ (for the README), so an ordinary run leaves
the working tree clean.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One chromium for the whole run (never `playwright install`: there is no internet)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's `chromium` and `fonts-noto-cjk`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told it is safe (it is: the loop only drives the
    # browser). Set only while browser tests run, so the rest of the suite keeps the check.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    with sync_playwright() as playwright:
        # Date inputs show the placeholder of the system locale (mm/dd/yyyy here); setting
        # LANG=zh_CN makes headless chromium name every download "download", so leave it.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


@dataclass
class World:
    """The persona tree plus the extra organizations that make pages look like a university."""

    tree: Any
    personas: dict[str, Any]

    @property
    def today(self) -> date:
        from django.utils import timezone

        return timezone.localdate()

    def overdue_terms(self) -> int:
        """How many current committee terms have run out (what the home to-do should count)."""
        from dangjian.orgs.models import CommitteeTerm

        return CommitteeTerm.objects.filter(
            closed_on__isnull=True, ends_on__lt=self.today, organization__status="active"
        ).count()


# (code, name, unit) of the committees added next to C1 and C2, each with the branches below.
EXTRA_COMMITTEES = [
    ("C3", "物理与电子科学学院党委", "物理与电子科学学院"),
    ("C4", "化学化工学院党委", "化学化工学院"),
    ("C5", "外国语学院党委", "外国语学院"),
    ("C6", "法学院党委", "法学院"),
    ("C7", "马克思主义学院党委", "马克思主义学院"),
    ("C8", "机关党委", "校机关"),
]
EXTRA_BRANCHES = [
    ("B1", "教工第一党支部", "teacher"),
    ("B2", "教工第二党支部", "teacher"),
    ("B3", "本科生第一党支部", "undergraduate"),
    ("B4", "本科生第二党支部", "undergraduate"),
    ("B5", "研究生第一党支部", "graduate"),
    ("B6", "研究生第二党支部", "graduate"),
    ("B7", "离退休教工党支部", "retired"),
]


def build_world() -> World:
    """Persona tree (personas.py) + 6 committees x 7 branches, terms and creation flags.

    56 organizations in all, so the university list has two pages of 50. C1 and C2 keep the
    shape the personas are defined on (the committee persona still sees only C1's subtree).
    """
    from dangjian.core.testing.personas import build_personas, build_tree
    from dangjian.orgs.choices import Level
    from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization

    tree = build_tree()
    personas = build_personas(tree)
    add = Organization.objects.add_child
    university = tree.university
    for number, (code, name, unit) in enumerate(EXTRA_COMMITTEES):
        university.refresh_from_db()
        committee = add(
            university,
            dict(
                name=name,
                code=code,
                level=Level.COMMITTEE,
                unit=unit,
                founded_on=date(1985, 3, 1),
                is_benchmark_department=number == 0,
            ),
        )
        for index, (suffix, branch, kind) in enumerate(EXTRA_BRANCHES):
            committee.refresh_from_db()
            is_office = code == "C8"
            org = add(
                committee,
                dict(
                    name=f"机关第{'一二三四五六七'[index]}党支部"
                    if is_office
                    else f"{unit}{branch}",
                    code=f"{code}-{suffix}",
                    level=Level.BRANCH,
                    kind="admin" if is_office else kind,
                    unit=unit,
                    founded_on=date(2000 + index, 9, 1),
                    is_model_branch=(number + index) % 5 == 0,
                    is_dual_leader_studio=(number + index) % 6 == 1,
                ),
            )
            elected = date(2024, 5, 20) if (number + index) % 4 else date(2020, 5, 20)
            term = CommitteeTerm.objects.create(
                organization=org,
                number=3,
                elected_on=elected,
                term_years=3,
                ends_on=elected.replace(year=elected.year + 3),
            )
            CommitteeMember.objects.create(
                term=term, name=f"张{branch[:2]}{index}", position="secretary", started_on=elected
            )
    # C1: a current committee term, so the detail page of 文学院党委 shows one.
    term = CommitteeTerm.objects.create(
        organization=tree.c1,
        number=6,
        elected_on=date(2023, 11, 8),
        term_years=5,
        ends_on=date(2028, 11, 8),
    )
    for name, position in [
        ("李文华", "secretary"),
        ("周敏", "deputy_secretary"),
        ("陈静", "organization"),
        ("王磊", "publicity"),
        ("赵倩", "discipline"),
    ]:
        CommitteeMember.objects.create(
            term=term, name=name, position=position, started_on=date(2023, 11, 8)
        )
    Organization.objects.filter(pk=tree.b2.pk).update(is_model_branch=True)
    for org in (tree.university, tree.c1, tree.c2, tree.b1, tree.b2, tree.b3):
        org.refresh_from_db()
    return World(tree=tree, personas=personas)


@pytest.fixture
def world(transactional_db: None, live_server: Any) -> World:
    """Data the live server sees (transactional: the server thread reads committed rows)."""
    return build_world()


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran: JS errors, unserved static files."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"JS error on {page.url}: {exc}"))
        page.on(
            "response",
            lambda r: (
                self.errors.append(f"{r.status} {r.url}")
                if "/static/" in r.url and r.status >= 400
                else None
            ),
        )
        # ERR_ABORTED: the test moved on to another page before a script finished loading.
        page.on(
            "requestfailed",
            lambda r: (
                self.errors.append(f"failed {r.url}: {r.failure}")
                if "/static/" in r.url and "ERR_ABORTED" not in (r.failure or "")
                else None
            ),
        )


@pytest.fixture
def page_as(browser: Any, live_server: Any, world: World) -> Iterator[Callable[..., Any]]:
    """page_as("univ", viewport="phone") -> a Page logged in through the login form."""
    from playwright.sync_api import expect

    from dangjian.core.testing.personas import PASSWORD

    contexts: list[Any] = []
    problems = PageProblems()

    def open_page(persona: str | None, viewport: str = "desktop") -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        page.goto("/accounts/login/")
        if persona is None:
            return page
        page.get_by_label("用户名").fill(persona)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登 录").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        expect(page.locator(".dj-topbar")).to_be_visible()
        assert_styled(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems.errors, "browser problems:\n" + "\n".join(problems.errors)


def assert_styled(page: Any) -> None:
    """Bootstrap and app.css loaded: the top bar has its red gradient, icons their font."""
    styles = page.evaluate("""() => {
        const bar = document.querySelector('.dj-topbar');
        return {
            bar: bar ? getComputedStyle(bar).backgroundImage : '',
            body: getComputedStyle(document.body).backgroundColor,
            icons: [...document.fonts].some(
                (f) => f.family.includes('bootstrap-icons') && f.status === 'loaded'),
        };
    }""")
    assert "linear-gradient" in styles["bar"], f"app.css not applied: {styles}"
    assert styles["body"] == "rgb(243, 244, 247)", f"app.css not applied: {styles}"
    assert styles["icons"], f"the bootstrap-icons font did not load: {styles}"


def save_shot(page: Any, name: str, *, readme: str | None = None) -> Path:
    """Save a full-page PNG as tests/browser/screenshots/<name>.png (and docs/, if asked)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    if readme and os.environ.get("DANGJIAN_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(DOCS_SCREENSHOTS / f"{readme}.png"), full_page=True, animations="disabled"
        )
    return path


class Defects:
    """Known product defects seen on the way: recorded, worked around, and reported at the end.

    A journey keeps going past a defect (so one bug does not hide the next page's), and the
    test still fails, listing every defect it met.
    """

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.found.append(message)
        return ok

    def assert_none(self) -> None:
        found, self.found = self.found, []
        assert not found, "product defects:\n- " + "\n- ".join(found)


@pytest.fixture
def defects() -> Iterator[Defects]:
    found = Defects()
    yield found
    found.assert_none()


def date_value(page: Any, selector: str) -> str:
    """The value the browser holds for an <input type=date> ('' if it rejected the server's)."""
    return str(page.locator(selector).input_value())


def assert_fits_width(page: Any) -> None:
    """Nothing sticks out sideways (wide tables scroll inside their .table-responsive)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px viewport"


def old_term(org: Any, *, overdue_days: int, secretary: str = "") -> Any:
    """A current committee term of `org` that ended `overdue_days` ago (3-year term)."""
    from datetime import timedelta

    from django.utils import timezone

    from dangjian.orgs.models import CommitteeMember, CommitteeTerm

    ends = timezone.localdate() - timedelta(days=overdue_days)
    term = CommitteeTerm.objects.create(
        organization=org,
        number=1,
        elected_on=ends - timedelta(days=3 * 365 + 1),
        term_years=3,
        ends_on=ends,
    )
    if secretary:
        CommitteeMember.objects.create(
            term=term, name=secretary, position="secretary", started_on=term.elected_on
        )
    return term


# The helpers reach the tests as fixtures: tests/ is not a package (src/dangjian/core/tests is
# collected as the top-level package `tests`), so test modules cannot import from here.
@pytest.fixture
def shot() -> Callable[..., Path]:
    """shot(page, "univ-01-home", readme="home-university")"""
    return save_shot


@pytest.fixture(name="date_value")
def date_value_fixture() -> Callable[[Any, str], str]:
    return date_value


@pytest.fixture
def fits_width() -> Callable[[Any], None]:
    return assert_fits_width


@pytest.fixture(name="old_term")
def old_term_fixture() -> Callable[..., Any]:
    return old_term
