"""The actions helper: every domain state change runs through `domain_action`.

An action is atomic, writes its audit events in the same transaction (so a rolled-back change
leaves no success row), records a failure event when it is refused, and sends notifications
only after commit. Views, API, importers and commands call actions, never `save()` directly.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, models, transaction

from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.text import Text

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class AuditEntry:
    obj: models.Model | None
    changes: Mapping[str, Any]
    detail: Mapping[str, Any]
    masked: Iterable[str]
    action: str | None = None


@dataclass
class ActionContext:
    """What the running action has recorded so far."""

    code: str
    actor: Any
    entries: list[AuditEntry] = field(default_factory=list)


_current: contextvars.ContextVar[ActionContext | None] = contextvars.ContextVar(
    "dangjian_action", default=None
)


def track(
    obj: models.Model | None,
    *,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    masked: Iterable[str] = (),
    action: str | None = None,
) -> None:
    """Add an audit entry to the running action (one row per entry, written at the end)."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("track() called outside a domain action")
    masked = set(masked) | set(getattr(obj, "audit_masked_fields", ()))
    ctx.entries.append(AuditEntry(obj, changes or {}, detail or {}, masked, action))


def acting_user() -> Any:
    """The user of the running action (for nested helpers that need it)."""
    ctx = _current.get()
    return ctx.actor if ctx else None


def domain_action(code: str, label: Text = "") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a function a domain action named `code` (e.g. 'orgs.organization.move').

    `label` is the Chinese name shown on the audit pages.
    """
    audit.register_action_label(code, label)

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = kwargs.get("acting_user")
            nested = _current.get() is not None
            ctx = ActionContext(code, actor)
            token = _current.set(ctx)
            try:
                with transaction.atomic():
                    result = fn(*args, **kwargs)
                    if not ctx.entries and isinstance(result, models.Model):
                        ctx.entries.append(AuditEntry(result, {}, {}, ()))
                    for entry in ctx.entries:
                        audit.record(
                            entry.action or code,
                            actor=actor,
                            obj=entry.obj,
                            changes=audit.mask_changes(entry.changes, entry.masked),
                            detail=entry.detail,
                        )
            except DomainError as error:
                _current.reset(token)
                if not nested:
                    target = args[0] if args and isinstance(args[0], models.Model) else None
                    audit.record(code, actor=actor, obj=target, success=False, message=str(error))
                raise
            except Exception as error:
                # Not a refusal but a fault (a race on a unique value, a bug): still on record.
                _current.reset(token)
                if not nested:
                    target = args[0] if args and isinstance(args[0], models.Model) else None
                    with contextlib.suppress(DatabaseError):
                        audit.record(
                            code,
                            actor=actor,
                            obj=target,
                            success=False,
                            message=f"系统错误：{type(error).__name__}",
                        )
                raise
            _current.reset(token)
            return result

        run.action_code = code  # type: ignore[attr-defined]
        return run

    return decorate


def on_commit(fn: Callable[[], None]) -> None:
    """Run after the surrounding transaction commits (notifications, e-mail, jobs)."""
    transaction.on_commit(fn)
