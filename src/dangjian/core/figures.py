"""Figures: named numbers computed for an organization subtree and a period.

Each app registers its figures in `<app>/figures.py` (autodiscovered). A figure has a stable
name (`orgs.branches`), a Chinese label, a unit, a function computing its value, and a
drill-down to the records behind it. A breakdown figure returns {key: value} and labels for its
keys; each key drills down separately. Dashboards, statistics tables and the annual record
report are built only from figures, so every number on them is traceable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import dateformat
from django.utils.translation import gettext

from dangjian.core.text import Text

if TYPE_CHECKING:
    from dangjian.orgs.models import Organization

Number = int | Decimal | float


@dataclass(frozen=True)
class Period:
    """A closed date range; `end` is the 'as of' date for stock figures (counts on a day)."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def on(cls, day: date) -> Period:
        return cls(day, day)

    def previous_year(self) -> Period:
        """The same period one year earlier (for the figure beside it)."""
        return Period(_minus_year(self.start), _minus_year(self.end))

    @property
    def label(self) -> str:
        if self.start == self.end:
            return gettext("截至%(end)s") % {"end": _day(self.end)}
        return gettext("%(start)s至%(end)s") % {"start": _day(self.start), "end": _day(self.end)}


def _day(day: date) -> str:
    """A date as the period label shows it: 2024年07月01日 (in English: 2024-07-01)."""
    # Translators: a Django date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date)
    return dateformat.format(day, gettext("Y年m月d日"))


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class FigureContext:
    """Where and when a figure is computed."""

    organization: Organization
    period: Period


@dataclass(frozen=True)
class Figure:
    """A registered figure. `compute` returns a number, None (no data), or {key: number}."""

    name: str
    label: Text
    unit: Text
    compute: Callable[[FigureContext], Number | Mapping[str, Number] | None]
    drilldown: Callable[[FigureContext, str | None], str] | None = None
    keys: Mapping[str, Text] = field(default_factory=dict)
    description: Text = ""
    kind: str = "stock"  # "stock": as of period end; "flow": during the period

    @property
    def app(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def is_breakdown(self) -> bool:
        return bool(self.keys)


@dataclass(frozen=True)
class FigureValue:
    """A computed figure: value (None = missing, never shown as 0), links, parts."""

    figure: Figure
    context: FigureContext
    value: Number | None
    url: str = ""
    parts: tuple[FigureValue, ...] = ()
    key: str | None = None

    @property
    def name(self) -> str:
        return f"{self.figure.name}.{self.key}" if self.key else self.figure.name

    @property
    def label(self) -> str:
        return str(self.figure.keys.get(self.key, self.key) if self.key else self.figure.label)

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the API."""
        return {
            "name": self.name,
            "label": self.label,
            "unit": str(self.figure.unit),
            "value": self.value,
            "organization": self.context.organization.pk,
            "start": self.context.period.start.isoformat(),
            "end": self.context.period.end.isoformat(),
            "url": self.url,
            "parts": [part.as_dict() for part in self.parts],
        }


_registry: dict[str, Figure] = {}


def register(
    name: str,
    *,
    label: Text,
    unit: Text,
    drilldown: Callable[[FigureContext, str | None], str] | None = None,
    keys: Mapping[str, Text] | None = None,
    description: Text = "",
    kind: str = "stock",
) -> Callable[[Callable[[FigureContext], Any]], Callable[[FigureContext], Any]]:
    """Decorator registering a compute function as figure `name` (app.figure)."""

    def decorate(fn: Callable[[FigureContext], Any]) -> Callable[[FigureContext], Any]:
        figure = Figure(name, label, unit, fn, drilldown, dict(keys or {}), description, kind)
        existing = _registry.get(name)
        if existing is not None and existing.compute.__qualname__ != fn.__qualname__:
            raise ValueError(f"figure {name} registered twice")
        _registry[name] = figure
        return fn

    return decorate


def all_figures() -> list[Figure]:
    """Every registered figure, in registration order (each app lists its headline first)."""
    return list(_registry.values())


def get_figure(name: str) -> Figure:
    """A figure by name; KeyError for an unknown name."""
    return _registry[name]


def evaluate(figure: Figure, context: FigureContext) -> FigureValue:
    """Compute a figure (and its parts for a breakdown) with drill-down links."""
    raw = figure.compute(context)

    def link(key: str | None) -> str:
        return figure.drilldown(context, key) if figure.drilldown else ""

    if figure.is_breakdown:
        values: dict[str, Number] = dict(raw or {})  # type: ignore[arg-type,call-overload]
        parts = tuple(
            FigureValue(figure, context, values.get(key, 0), link(key), (), key)
            for key in figure.keys
        )
        total = None if raw is None else sum(values.values())
        return FigureValue(figure, context, total, link(None), parts)
    return FigureValue(figure, context, raw, link(None))  # type: ignore[arg-type]


def compute(name: str, context: FigureContext) -> FigureValue:
    """Compute a figure by name (`orgs.by_level`) or one part of it (`orgs.by_level.branch`)."""
    if name in _registry:
        return evaluate(_registry[name], context)
    base, _, key = name.rpartition(".")
    value = evaluate(_registry[base], context)
    for part in value.parts:
        if part.key == key:
            return part
    raise KeyError(name)
