"""Left-menu registry: each app adds its sections in its menu.py; a user sees what it may open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from dangjian.core.text import Text


@dataclass(frozen=True)
class MenuItem:
    """One link. `visible(user)` decides whether the user may open it."""

    label: Text
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
    label: Text
    order: int
    icon: str = "folder"
    items: list[MenuItem] = field(default_factory=list)


_groups: dict[str, MenuGroup] = {}


def add_group(key: str, label: Text, order: int, icon: str = "folder") -> MenuGroup:
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


@dataclass(frozen=True)
class MenuEntry:
    item: MenuItem
    active: bool


def menu_for(user: Any, path: str = "") -> list[tuple[MenuGroup, list[MenuEntry]]]:
    """Groups with the items this user may see, in order; empty groups are left out.

    The one item whose `active_prefix` is the longest prefix of `path` is marked active.
    """
    visible = [
        (group, [item for item in group.items if item.visible(user)])
        for group in sorted(_groups.values(), key=lambda g: g.order)
    ]
    matches = [
        item
        for _, items in visible
        for item in items
        if item.active_prefix and path.startswith(item.active_prefix)
    ]
    current = max(matches, key=lambda item: len(item.active_prefix), default=None)
    return [
        (group, [MenuEntry(item, item is current) for item in items])
        for group, items in visible
        if items
    ]
