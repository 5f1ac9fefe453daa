"""Organization scope: the one way views, API and exports fetch records.

Every scoped model declares a `ScopeSpec`: which role kinds may do which actions on it and how
a record reaches its organization's materialized path. `Model.objects.restrict(user, action)`
turns the user's role grants into a filter: a grant on an organization covers its subtree; a
self-service role (member) sees only the records its `self_filter` admits; a grant without an
organization (the separated administrators) covers every record of models that list the role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models
from django.db.models import Q

from dangjian.core.roles import RoleKind

if TYPE_CHECKING:
    from dangjian.accounts.models import User

VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT = "view", "add", "change", "delete", "export", "import"
# Seeing a protected value (a citizen ID number, a phone number) in full: its own permission,
# and every use is a security event in the audit log.
REVEAL = "reveal"


@dataclass(frozen=True)
class Grant:
    """One active role grant, reduced to what filtering needs."""

    role: str
    organization_id: int | None
    path: str | None


@dataclass(frozen=True)
class ScopeSpec:
    """How a model is scoped: the actions each role kind may do, and the path to its org."""

    actions: Mapping[str, frozenset[str] | set[str]]
    path_field: str | None = "organization__path"
    # Records that belong to two organizations at once (a transfer between branches) are in
    # scope for a grant covering either of them.
    also_path_fields: tuple[str, ...] = ()
    self_roles: frozenset[str] = frozenset({RoleKind.MEMBER})
    self_filter: Callable[[User], Q] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def allows(self, role: str, action: str) -> bool:
        """Whether a role kind may do this action on the model at all."""
        return action in self.actions.get(role, ())


def user_grants(user: Any) -> list[Grant]:
    """Active grants of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_dangjian_grants", None)
    if cached is None:
        from dangjian.accounts.models import RoleGrant

        rows = (
            RoleGrant.objects.active()
            .filter(user=user)
            .values_list("role", "organization_id", "organization__path")
        )
        cached = [Grant(role, org_id, path) for role, org_id, path in rows]
        user._dangjian_grants = cached
    return cached


def covering_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the set: the filter stays small."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def scope_filter(model: type[models.Model], user: Any, action: str) -> Q | None:
    """The Q that limits `model` to what `user` may do `action` on; None means nothing."""
    spec: ScopeSpec | None = getattr(model, "scope", None)
    if spec is None:
        raise TypeError(f"{model.__name__} declares no ScopeSpec")
    paths: list[str] = []
    condition: Q | None = None
    for grant in user_grants(user):
        if not spec.allows(grant.role, action):
            continue
        if grant.role in spec.self_roles and spec.self_filter is not None:
            own = spec.self_filter(user)
            condition = own if condition is None else condition | own
        elif grant.path is None or spec.path_field is None:
            return Q()
        else:
            paths.append(grant.path)
    for path in covering_paths(paths):
        subtree = Q(**{f"{spec.path_field}__startswith": path})
        for other in spec.also_path_fields:
            subtree |= Q(**{f"{other}__startswith": path})
        condition = subtree if condition is None else condition | subtree
    return condition


def covers(user: Any, model: type[models.Model], action: str, path: str) -> bool:
    """Whether a grant allowing `action` on `model` covers the organization at `path`.

    For checks on where a record is going (a new member's branch, a transfer's target):
    `restrict()` answers for records that exist. `user` None is the system (a command).
    """
    if user is None:
        return True
    spec: ScopeSpec = model.scope  # type: ignore[attr-defined]
    return any(
        spec.allows(grant.role, action)
        and grant.role not in spec.self_roles
        and (grant.path is None or path.startswith(grant.path))
        for grant in user_grants(user)
    )


def can(user: Any, model: type[models.Model], action: str) -> bool:
    """Whether the user holds any grant allowing `action` on `model` (somewhere)."""
    spec: ScopeSpec | None = getattr(model, "scope", None)
    if spec is None:
        return False
    return any(spec.allows(grant.role, action) for grant in user_grants(user))


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M], Generic[_M]):
    """QuerySet with `restrict(user, action)`."""

    def restrict(self, user: Any, action: str = VIEW) -> ScopedQuerySet[_M]:
        """Only the records `user` may do `action` on; empty without a matching grant."""
        condition = scope_filter(self.model, user, action)
        if condition is None:
            return self.none()
        return self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
