"""The demo logins: one account per persona on the first demo university.

The personas match the test suite's (core/testing/personas.py) on the demo tree: `univ` on the
university committee, `committee` on 文学院党委, `secretary` and `member` on 文学院教工第一党支部
(the secretary also holds the post in the branch's current committee term), `outsider` on
数学与统计学院党委, and the three separated administrators without an organization.
Role grants are written directly: this is seeding, not a user's action.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.roles import RoleKind
from dangjian.orgs import demo as org_demo
from dangjian.orgs.choices import Position
from dangjian.orgs.models import CommitteeMember, Organization


@dataclass(frozen=True)
class DemoPersona:
    """A demo account: username, Chinese name, role and the code of its organization."""

    username: str
    display_name: str
    role: str
    org_code: str | None


PERSONAS: tuple[DemoPersona, ...] = (
    DemoPersona("univ", "周立群", RoleKind.UNIVERSITY_STAFF, org_demo.UNIVERSITY_CODE),
    DemoPersona("committee", "陈晓燕", RoleKind.COMMITTEE_STAFF, org_demo.COMMITTEE_CODE),
    DemoPersona("secretary", "王明", RoleKind.BRANCH_SECRETARY, org_demo.BRANCH_CODE),
    DemoPersona("member", "李华", RoleKind.MEMBER, org_demo.BRANCH_CODE),
    DemoPersona("outsider", "赵强", RoleKind.COMMITTEE_STAFF, org_demo.OTHER_COMMITTEE_CODE),
    DemoPersona("sysadmin", "系统管理员", RoleKind.SYSTEM_ADMIN, None),
    DemoPersona("secadmin", "安全保密管理员", RoleKind.SECURITY_ADMIN, None),
    DemoPersona("auditor", "安全审计员", RoleKind.AUDIT_ADMIN, None),
)


@dataclass(frozen=True)
class DemoLogin:
    """A line of the printed login table."""

    username: str
    display_name: str
    role_label: str
    organization: str


@dataclass
class DemoUsersResult:
    """Logins to print and what changed (for the audit event)."""

    logins: list[DemoLogin]
    users_created: int = 0
    passwords_set: int = 0
    grants_created: int = 0
    secretary_linked: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.users_created or self.passwords_set or self.grants_created or self.secretary_linked
        )


class _PasswordHash:
    """One PBKDF2 hash shared by the demo accounts: the password is printed anyway, and eight
    separate hashes would add seconds to every demo load."""

    def __init__(self, password: str) -> None:
        self.password = password
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(self.password)
        return self._encoded

    def matches(self, user: User) -> bool:
        """Whether the user's stored password is this one (each distinct hash checked once)."""
        if user.password not in self._checked:
            self._checked[user.password] = user.check_password(self.password)
        return self._checked[user.password]


def ensure_demo_users(password: str) -> DemoUsersResult:
    """Create the demo accounts and grants that are missing; set the password where it differs.

    Needs the first demo university (`orgs.demo.build_demo_tree`). Running it again with the
    same password changes nothing.
    """
    codes = {p.org_code for p in PERSONAS if p.org_code}
    orgs = {org.code: org for org in Organization.objects.filter(code__in=codes)}
    missing = codes - set(orgs)
    if missing:
        raise LookupError(f"演示党组织不存在：{'、'.join(sorted(missing))}（请先生成演示组织）。")
    hashed = _PasswordHash(password)
    result = DemoUsersResult(logins=[])
    users: dict[str, User] = {}
    with transaction.atomic():
        for persona in PERSONAS:
            user = User.objects.filter(username=persona.username).first()
            if user is None:
                user = User(
                    username=persona.username,
                    display_name=persona.display_name,
                    password=hashed.encoded,
                    password_changed_at=timezone.now(),
                )
                user.save()
                result.users_created += 1
            elif not hashed.matches(user):
                user.password, user.password_changed_at = hashed.encoded, timezone.now()
                user.must_change_password = False
                user.save(update_fields=["password", "password_changed_at", "must_change_password"])
                result.passwords_set += 1
            users[persona.username] = user
            org = orgs.get(persona.org_code) if persona.org_code else None
            grant = RoleGrant.objects.active().filter(
                user=user, role=persona.role, organization=org
            )
            if not grant.exists():
                RoleGrant.objects.create(user=user, role=persona.role, organization=org)
                result.grants_created += 1
            result.logins.append(
                DemoLogin(
                    persona.username,
                    persona.display_name,
                    str(RoleKind(persona.role).label),
                    org.name if org else "（不属于任何党组织）",
                )
            )
        result.secretary_linked = _link_secretary(users["secretary"], orgs[org_demo.BRANCH_CODE])
    return result


def _link_secretary(user: User, branch: Organization) -> bool:
    """Name the secretary account as the branch's secretary in its current term."""
    post = (
        CommitteeMember.objects.filter(
            term__organization=branch,
            term__closed_on__isnull=True,
            position=Position.SECRETARY,
            ended_on__isnull=True,
        )
        .order_by("-term__number")
        .first()
    )
    if post is None or (post.user_id == user.pk and post.name == user.display_name):
        return False
    post.user, post.name = user, user.display_name
    post.save(update_fields=["user", "name"])
    return True
