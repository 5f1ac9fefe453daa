"""Named personas on a small tree, shaped like the demo university.

    U  湘麓大学委员会 (university committee)
    ├── C1 文学院党委 (committee)
    │   ├── B1 文学院教工第一党支部 (branch, teacher)
    │   │   └── G1 第一党小组 (party group)
    │   └── B2 文学院本科生第一党支部 (branch, undergraduate)
    └── C2 数学与统计学院党委 (committee)
        └── B3 数学学院研究生党支部 (branch, graduate)

univ: university staff on U; committee: committee staff on C1; secretary: branch secretary
on B1; member: member on B1; outsider: committee staff on C2; sysadmin, secadmin, auditor:
the three separated administrators; norole: an account with no grant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.roles import RoleKind
from dangjian.orgs.choices import Kind, Level
from dangjian.orgs.models import Organization

PASSWORD = "Test-Passw0rd!"


@dataclass
class Tree:
    university: Organization
    c1: Organization
    c2: Organization
    b1: Organization
    b2: Organization
    b3: Organization
    g1: Organization


def build_tree() -> Tree:
    """The small tree above, created directly (tests of the actions build their own)."""
    add = Organization.objects.add_child
    u = Organization.objects.add_root(
        dict(
            name="湘麓大学委员会",
            code="U",
            level=Level.UNIVERSITY_COMMITTEE,
            founded_on=date(1950, 7, 1),
        )
    )
    c1 = add(
        u,
        dict(
            name="文学院党委",
            code="C1",
            level=Level.COMMITTEE,
            unit="文学院",
            founded_on=date(1985, 3, 1),
        ),
    )
    c2 = add(
        u,
        dict(
            name="数学与统计学院党委",
            code="C2",
            level=Level.COMMITTEE,
            unit="数学与统计学院",
            founded_on=date(1985, 3, 1),
        ),
    )
    u.refresh_from_db()
    b1 = add(
        c1,
        dict(
            name="文学院教工第一党支部",
            code="C1-B1",
            level=Level.BRANCH,
            kind=Kind.TEACHER,
            unit="文学院",
            founded_on=date(2001, 9, 1),
        ),
    )
    c1.refresh_from_db()
    b2 = add(
        c1,
        dict(
            name="文学院本科生第一党支部",
            code="C1-B2",
            level=Level.BRANCH,
            kind=Kind.UNDERGRADUATE,
            unit="文学院",
            founded_on=date(2005, 9, 1),
        ),
    )
    b3 = add(
        c2,
        dict(
            name="数学学院研究生党支部",
            code="C2-B3",
            level=Level.BRANCH,
            kind=Kind.GRADUATE,
            unit="数学与统计学院",
            founded_on=date(2010, 9, 1),
        ),
    )
    b1.refresh_from_db()
    g1 = add(b1, dict(name="第一党小组", code="C1-B1-G1", level=Level.PARTY_GROUP))
    for org in (u, c1, c2, b1, b2, b3):
        org.refresh_from_db()
    return Tree(u, c1, c2, b1, b2, b3, g1)


PERSONA_GRANTS: dict[str, tuple[str, str | None]] = {
    "univ": (RoleKind.UNIVERSITY_STAFF, "university"),
    "committee": (RoleKind.COMMITTEE_STAFF, "c1"),
    "secretary": (RoleKind.BRANCH_SECRETARY, "b1"),
    "member": (RoleKind.MEMBER, "b1"),
    "outsider": (RoleKind.COMMITTEE_STAFF, "c2"),
    "sysadmin": (RoleKind.SYSTEM_ADMIN, None),
    "secadmin": (RoleKind.SECURITY_ADMIN, None),
    "auditor": (RoleKind.AUDIT_ADMIN, None),
    "norole": ("", None),
}


def make_user(
    username: str, role: str = "", organization: Organization | None = None, **extra: Any
) -> User:
    """A user with one grant (or none)."""
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=username, **extra
    )
    if role:
        RoleGrant.objects.create(user=user, role=role, organization=organization)
    return user


def build_personas(tree: Tree) -> dict[str, User]:
    """Every persona of PERSONA_GRANTS on the given tree."""
    users = {}
    for username, (role, where) in PERSONA_GRANTS.items():
        users[username] = make_user(username, role, getattr(tree, where) if where else None)
    return users
