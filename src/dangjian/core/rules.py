"""Configurable domain rules: defaults in code (from domain.md), values in the database.

An app registers each rule once with a stable code, a Chinese label and message, a default
value and whether a breach is refused or only warned. Authorized staff change the value, the
severity or switch the rule off on the rules page; every change is audited. A refused breach
can be accepted as a justified `RuleException` by a user allowed to record one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

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
_memo: tuple[float, dict[str, tuple[Any, bool, str]]] | None = None


def _settings() -> dict[str, tuple[Any, bool, str]]:
    global _memo
    now = time.monotonic()
    if _memo is not None and now - _memo[0] < _MEMO_SECONDS:
        return _memo[1]
    rows = cache.get(_CACHE_KEY)
    if rows is None:
        from dangjian.core.models import RuleSetting

        rows = {
            row.code: (row.value, row.enabled, row.severity) for row in RuleSetting.objects.all()
        }
        cache.set(_CACHE_KEY, rows, 60)
    _memo = (now, rows)
    return rows


def invalidate() -> None:
    """Forget cached settings (called when a setting changes)."""
    global _memo
    _memo = None
    cache.delete(_CACHE_KEY)


def get(code: str) -> RuleState:
    """The rule's state now; unknown codes are a programming error."""
    definition = _registry[code]
    stored = _settings().get(code)
    if stored is None:
        return RuleState(definition, definition.default, True, definition.severity)
    value, enabled, severity = stored
    return RuleState(
        definition,
        definition.default if value is None else value,
        enabled,
        severity or definition.severity,
    )


def value(code: str) -> Any:
    """Shorthand for the rule's current value."""
    return get(code).value


def breach(code: str, *, field: str = "__all__", **facts: Any) -> str | None:
    """Report a breach: raise RuleViolation when the rule refuses, return the warning otherwise.

    Returns None when the rule is switched off.
    """
    state = get(code)
    if not state.enabled:
        return None
    text = state.message(**facts)
    if state.severity == REFUSE:
        raise RuleViolation(code, text, field=field)
    return text
