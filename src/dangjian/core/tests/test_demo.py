"""`dangjian demo`: the synthetic university's shape, idempotence and logins."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.demo import PERSONAS
from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models.audit import AuditEvent
from dangjian.orgs import demo as org_demo
from dangjian.orgs.choices import BRANCH_LEVELS, Kind, Level, Position
from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization

PASSWORD = "Demo#Passw0rd"


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--password", PASSWORD, *args, stdout=out)
    return out.getvalue()


def state() -> dict[str, object]:
    """Everything a second run must leave as it was."""
    return {
        "orgs": list(Organization.objects.values_list("code", "path", "numchild", "updated_at")),
        "terms": CommitteeTerm.objects.count(),
        "members": list(CommitteeMember.objects.values_list("pk", "name", "user_id")),
        "users": list(User.objects.values_list("username", "password")),
        "grants": RoleGrant.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_scale_one_is_the_seed_university_and_a_second_run_changes_nothing() -> None:
    output = run_demo()
    assert "http://127.0.0.1:8000" in output and PASSWORD in output

    levels = Counter(Organization.objects.values_list("level", flat=True))
    assert levels[Level.UNIVERSITY_COMMITTEE] == 1
    assert levels[Level.COMMITTEE] + levels[Level.GENERAL_BRANCH] == 29
    assert levels[Level.GENERAL_BRANCH] >= 3
    assert levels[Level.BRANCH] + levels[Level.TEMPORARY_BRANCH] == 255
    assert 3 <= levels[Level.TEMPORARY_BRANCH] <= 10
    assert 30 <= levels[Level.PARTY_GROUP] <= 150
    assert Organization.objects.find_problems() == ([], [], [], [], [])

    branches = Organization.objects.filter(level__in=BRANCH_LEVELS)
    kinds = Counter(branches.values_list("kind", flat=True))
    assert set(kinds) == set(Kind.values)
    assert kinds[Kind.TEACHER] >= 60 and kinds[Kind.UNDERGRADUATE] >= 60
    assert kinds[Kind.GRADUATE] >= 30 and kinds[Kind.ADMIN] >= 20 and kinds[Kind.RETIRED] >= 10
    assert 2 <= branches.filter(is_joint=True).count() <= 10
    flagged = (
        Organization.objects.filter(is_model_branch=True).count()
        + Organization.objects.filter(is_benchmark_department=True).count()
        + Organization.objects.filter(is_dual_leader_studio=True).count()
    )
    assert flagged == 20
    assert Organization.objects.get(name="文学院2023级本科生党支部").kind == Kind.UNDERGRADUATE
    assert Organization.objects.filter(name="文学院研究生第二党支部").exists()
    assert all(org.name_pinyin and org.name_initials for org in Organization.objects.all()[:50])

    current = CommitteeTerm.objects.filter(closed_on__isnull=True)
    assert current.count() == Organization.objects.exclude(level=Level.PARTY_GROUP).count()
    secretaries = Counter(
        CommitteeMember.objects.filter(
            term__closed_on__isnull=True, position=Position.SECRETARY
        ).values_list("term_id", flat=True)
    )
    assert set(secretaries.values()) == {1} and len(secretaries) == current.count()
    sizes = Counter(
        CommitteeMember.objects.filter(
            term__in=current.filter(organization__level=Level.BRANCH)
        ).values_list("term_id", flat=True)
    )
    assert set(sizes.values()) <= {1, 2, 3, 4, 5} and 3 in sizes.values()
    today = timezone.localdate()
    overdue = current.filter(ends_on__lt=today)
    assert 10 <= overdue.count() <= 40
    assert 1 <= current.filter(ends_on__lt=today - timedelta(days=365)).count() <= 8

    before = state()
    second = run_demo()
    assert "未重复生成" in second and "数据无变化" in second
    assert state() == before


@pytest.mark.django_db
def test_demo_users_log_in_and_see_their_own_subtree() -> None:
    run_demo()
    assert AuditEvent.objects.filter(action="core.demo.load").count() == 1
    for persona in PERSONAS:
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": persona.username, "password": PASSWORD}
        )
        assert response.status_code == 302, persona.username
        assert client.session.get("_auth_user_id") == str(
            User.objects.get(username=persona.username).pk
        )

    def visible(username: str) -> set[str]:
        user = User.objects.get(username=username)
        return set(Organization.objects.restrict(user).values_list("code", flat=True))

    college = Organization.objects.get(code=org_demo.COMMITTEE_CODE)
    college_codes = set(Organization.objects.within(college).values_list("code", flat=True))
    assert college.name == "文学院党委" and len(college_codes) > 10
    assert visible("committee") == college_codes
    assert not visible("outsider") & college_codes
    assert visible("outsider") and all(
        code.startswith(org_demo.OTHER_COMMITTEE_CODE) for code in visible("outsider")
    )
    assert visible("univ") == set(Organization.objects.values_list("code", flat=True))
    branch = Organization.objects.get(code=org_demo.BRANCH_CODE)
    branch_codes = set(Organization.objects.within(branch).values_list("code", flat=True))
    assert visible("secretary") == branch_codes == visible("member")
    for admin in ("sysadmin", "secadmin", "auditor"):
        assert visible(admin) == set()

    secretary = User.objects.get(username="secretary")
    post = CommitteeMember.objects.get(
        term__organization=branch, term__closed_on__isnull=True, position=Position.SECRETARY
    )
    assert post.user == secretary and post.name == secretary.display_name


@pytest.mark.django_db
def test_scale_adds_universities_beside_the_first() -> None:
    run_demo()
    first = Organization.objects.count()
    output = run_demo("--scale", "2")
    assert "另有 1 所已存在" in output
    roots = list(Organization.objects.filter(depth=1).order_by("path"))
    assert [root.code for root in roots] == ["U001", "U002"]
    assert roots[0].name != roots[1].name
    assert Organization.objects.count() > 1.9 * first
    assert Organization.objects.find_problems(parent=roots[1]) == ([], [], [], [], [])
    assert AuditEvent.objects.filter(action="core.demo.load").count() == 2


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(CommandError, match="密码"):
        call_command("demo", "--password", "123456", stdout=StringIO())
    assert not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_a_code_taken_outside_the_demo_is_refused() -> None:
    Organization.objects.add_root(
        {"name": "其他高校党委", "code": "U001-C01", "level": Level.UNIVERSITY_COMMITTEE}
    )
    with pytest.raises(CommandError, match="U001-C01"):
        run_demo()
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_refused_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        run_demo()
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_new_password_is_set_on_the_existing_demo_accounts() -> None:
    run_demo()
    out = StringIO()
    call_command("demo", "--password", "Other#Passw0rd", stdout=out)
    assert "已将 8 个演示账号的密码设为本次指定的密码" in out.getvalue()
    assert User.objects.get(username="committee").check_password("Other#Passw0rd")
    assert AuditEvent.objects.filter(action="core.demo.load").count() == 2
