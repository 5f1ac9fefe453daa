"""Left-menu registry: each app adds its sections in its menu.py; a user sees what it may open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    """One link. `visible(user)` decides whether the user may open it."""

    label: str
    url_name: str
    icon: str = "circle"
    visible: Callable[[Any], bool] = lambda user: True
    active_prefix: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass
class MenuGroup:
    key: str
    label: str
    order: int
    icon: str = "folder"
    items: list[MenuItem] = field(default_factory=list)


_groups: dict[str, MenuGroup] = {}


def add_group(key: str, label: str, order: int, icon: str = "folder") -> MenuGroup:
    """Create (or return) a menu group."""
    group = _groups.get(key)
    if group is None:
        group = _groups[key] = MenuGroup(key, label, order, icon)
    return group


def add_item(group_key: str, item: MenuItem) -> None:
    """Add an item to a group once."""
    group = _groups[group_key]
    if all(existing.url_name != item.url_name for existing in group.items):
        group.items.append(item)


def menu_for(user: Any) -> list[tuple[MenuGroup, list[MenuItem]]]:
    """Groups with the items this user may see, in order; empty groups are left out."""
    result = []
    for group in sorted(_groups.values(), key=lambda g: g.order):
        items = [item for item in group.items if item.visible(user)]
        if items:
            result.append((group, items))
    return result
