"""Configurable domain rules: defaults in code (from domain.md), values in the database.

An app registers each rule once with a stable code, a Chinese label and message, a default
value and whether a breach is refused or only warned. Authorized staff change the value, the
severity or switch the rule off on the rules page; every change is audited. A refused breach
can be accepted as a justified `RuleException` by a user allowed to record one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext

from dangjian.core.errors import RuleViolation
from dangjian.core.text import Text

REFUSE, WARN = "refuse", "warn"
_CACHE_KEY = "dangjian:rules:v1"


@dataclass(frozen=True)
class RuleDef:
    """A rule as code knows it. `message` is formatted with the value and the check's facts."""

    code: str
    label: Text
    message: Text
    default: Any
    unit: Text = ""
    severity: str = REFUSE
    source: Text = ""
    group: Text = ""


@dataclass(frozen=True)
class RuleState:
    """A rule as it applies now: the definition with this institution's settings."""

    definition: RuleDef
    value: Any
    enabled: bool
    severity: str

    def message(self, **facts: Any) -> str:
        """The message (in the active language) with the rule's value and the facts of the breach."""
        return str(self.definition.message).format(value=self.value, **facts)


_registry: dict[str, RuleDef] = {}


def register(rule: RuleDef) -> RuleDef:
    """Register a rule at import time; a code registered twice is a programming error."""
    if rule.code in _registry and _registry[rule.code] != rule:
        raise ValueError(f"rule {rule.code} registered twice")
    _registry[rule.code] = rule
    return rule


def all_rules() -> list[RuleDef]:
    """Every registered rule, by group and code."""
    return sorted(_registry.values(), key=lambda rule: (rule.group, rule.code))


# A rule is read for every row of an import: a few seconds in process spare a cache round
# trip each time (Redis in production); a change made here clears it at once.
_MEMO_SECONDS = 2.0
Settings = dict[tuple[str, str], tuple[Any, bool, str]]
_memo: tuple[float, Settings] | None = None
# Scopes a rule may carry its own value for (a case of a student or of a teacher…); a
# scope without its own setting takes the institution's general one.
SCOPES: dict[str, Text] = {}


def register_scope(code: str, label: Text) -> None:
    """Declare a scope of rule values (done by the apps that read rules by scope)."""
    SCOPES[code] = label


def _settings() -> Settings:
    global _memo
    now = time.monotonic()
    if _memo is not None and now - _memo[0] < _MEMO_SECONDS:
        return _memo[1]
    rows = cache.get(_CACHE_KEY)
    if rows is None:
        from dangjian.core.models import RuleSetting

        rows = {
            (row.code, row.applies_to): (row.value, row.enabled, row.severity)
            for row in RuleSetting.objects.all()
        }
        cache.set(_CACHE_KEY, rows, 60)
    _memo = (now, rows)
    return rows


def invalidate() -> None:
    """Forget cached settings (called when a setting changes)."""
    global _memo
    _memo = None
    cache.delete(_CACHE_KEY)


def get(code: str, scope: str = "") -> RuleState:
    """The rule's state now, for a scope if it has its own setting; unknown codes are a
    programming error."""
    definition = _registry[code]
    known = _settings()
    stored = known.get((code, scope)) if scope else None
    if stored is None:
        stored = known.get((code, ""))
    if stored is None:
        return RuleState(definition, definition.default, True, definition.severity)
    value, enabled, severity = stored
    return RuleState(
        definition,
        definition.default if value is None else value,
        enabled,
        severity or definition.severity,
    )


def value(code: str, scope: str = "") -> Any:
    """Shorthand for the rule's current value."""
    return get(code, scope).value


@dataclass
class Exemption:
    """A justification offered with an action for breaching refused rules.

    A refused breach then passes if the user may record exceptions for `organization`; each is
    kept as a `RuleException` when the action calls `save(obj)` on the object concerned.
    """

    justification: str
    user: Any
    organization: Any
    accepted: list[tuple[str, str]] = field(default_factory=list)

    def accept(self, code: str, text: str, field_name: str) -> None:
        from dangjian.core.models import RuleException
        from dangjian.core.scope import ADD, covers

        if not self.justification.strip():
            raise RuleViolation(code, text, field=field_name)
        if not covers(self.user, RuleException, ADD, self.organization.path):
            raise RuleViolation(
                code, text + gettext("（您无权记录规则例外，请报上级党委审定。）"), field=field_name
            )
        self.accepted.append((code, text))

    def save(self, obj: models.Model) -> None:
        """Keep each accepted breach with the justification, on `obj`."""
        from dangjian.core.models import RuleException

        for code, text in self.accepted:
            RuleException.objects.create(
                code=code,
                organization=self.organization,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                message=text,
                justification=self.justification.strip(),
                created_by=self.user,
            )
        self.accepted.clear()


def breach(
    code: str,
    *,
    field: str = "__all__",
    scope: str = "",
    exemption: Exemption | None = None,
    **facts: Any,
) -> str | None:
    """Report a breach: raise RuleViolation when the rule refuses (unless `exemption` justifies
    it), return the warning otherwise. Returns None when the rule is switched off.
    """
    state = get(code, scope)
    if not state.enabled:
        return None
    text = state.message(**facts)
    if state.severity == REFUSE:
        if exemption is None:
            raise RuleViolation(code, text, field=field)
        exemption.accept(code, text, field)
    return text
