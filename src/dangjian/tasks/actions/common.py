"""What the actions of tasks share: scope checks, field cleaning, evidence files."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext

from dangjian.accounts.models import RoleGrant
from dangjian.core.errors import DomainError
from dangjian.core.io.normalize import to_date
from dangjian.core.roles import UNIVERSITY
from dangjian.core.scope import covers
from dangjian.core.uploads import check_scan, stored_name
from dangjian.members.actions.common import responsible_users
from dangjian.orgs.models import Organization


def refuse_outside(user: Any, model: type[models.Model], action: str, org: Organization) -> None:
    """Refuse unless the user's grant covers `org` for `action` on `model`."""
    if user is not None and not covers(user, model, action, org.path):
        raise DomainError(gettext("您无权办理%(org)s的该项工作。") % {"org": org.name})


class Fields:
    """Collects cleaned fields and every problem, named by field, from form or API data."""

    def __init__(self, data: Mapping[str, Any], current: models.Model | None = None) -> None:
        self.data, self.current = data, current
        self.out: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> Any:
        if name in self.data:
            return self.data[name]
        return getattr(self.current, name, None) if self.current is not None else None

    def text(self, name: str, label: str, *, limit: int = 0, required: bool = True) -> str:
        value = str(self.raw(name) or "").strip()
        if required and not value:
            self.errors[name] = gettext("请填写%(label)s。") % {"label": label}
        elif limit and len(value) > limit:
            self.errors[name] = gettext("%(label)s不能超过%(n)d个字。") % {
                "label": label,
                "n": limit,
            }
        self.out[name] = value
        return value

    def day(self, name: str, label: str, *, required: bool = True) -> date | None:
        try:
            value = to_date(self.raw(name))
        except ValueError as error:
            self.errors[name] = str(error)
            return None
        if value is None and required:
            self.errors[name] = gettext("请填写%(label)s。") % {"label": label}
        self.out[name] = value
        return value

    def choice(self, name: str, label: str, choices: type[models.TextChoices]) -> str:
        value = str(self.raw(name) or "")
        if value not in choices.values:
            self.errors[name] = gettext("请选择%(label)s。") % {"label": label}
        self.out[name] = value
        return value

    def number(self, name: str, label: str, low: int, high: int) -> int | None:
        try:
            value = int(str(self.raw(name)).strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            self.errors[name] = gettext("%(label)s应为%(low)d至%(high)d之间的整数。") % {
                "label": label,
                "low": low,
                "high": high,
            }
            return None
        self.out[name] = value
        return value

    def unit(
        self, value: Any, name: str, within: Organization, missing: str
    ) -> Organization | None:
        """An organization (or its id) in `within`'s subtree; `missing` when there is none."""
        pk = value.pk if isinstance(value, Organization) else value
        try:
            unit = Organization.objects.get(pk=int(pk))
        except (TypeError, ValueError, Organization.DoesNotExist):
            self.fail(name, missing)
            return None
        if not unit.path.startswith(within.path):
            self.fail(
                name,
                gettext("%(unit)s不在%(org)s的下级范围内。")
                % {"unit": unit.name, "org": within.name},
            )
            return None
        return unit

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def done(self) -> dict[str, Any]:
        if self.errors:
            raise DomainError(self.errors)
        return self.out


def store_file(row: Any, title: str, file: Any, *, acting_user: Any) -> Any:
    """Save an evidence file (PDF/JPEG/PNG ≤ 10 MB, by content) on the unsaved `row`."""
    title = (title or "").strip() or (getattr(file, "name", "") or "").rsplit(".", 1)[0][:100]
    if not title:
        raise DomainError({"file": gettext("请填写材料名称。")})
    if len(title) > 100:
        raise DomainError({"title": gettext("材料名称不能超过100个字。")})
    try:
        extension = check_scan(file)
    except ValueError as error:
        raise DomainError({"file": str(error)}) from None
    row.title, row.size, row.uploaded_by = title, file.size or 0, acting_user
    row.file.save(stored_name(extension), file, save=False)
    row.save()
    return row


def handlers(org: Organization) -> list[Any]:
    """Who is told about an organization's tasks and problems: its secretaries or committee
    staff, else (the university committee has neither) the university staff covering it."""
    found = responsible_users(org)
    if found:
        return found
    grants = (
        RoleGrant.objects.active().filter(role=UNIVERSITY).select_related("organization", "user")
    )
    return [g.user for g in grants if g.organization and org.path.startswith(g.organization.path)]
