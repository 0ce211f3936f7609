"""The main menu: features register their entries per role; base.html shows the current user's.

Usage from another feature (at import of its views module)::

    from flask_babel import lazy_gettext as _l
    from lms.accounts.menu import register_menu_item
    register_menu_item(("student",), "learn.assignments", _l("My assignments"), position=20)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from flask import current_app, url_for


@dataclass(frozen=True)
class MenuItem:
    roles: frozenset[str]
    endpoint: str
    label: Any  # a lazy_gettext string, translated when the page is rendered
    position: int


_ITEMS: dict[str, MenuItem] = {}


def register_menu_item(roles: Iterable[str], endpoint: str, label: Any, position: int = 100) -> None:
    """Show ``endpoint`` to users with one of ``roles``; registering an endpoint again replaces it."""
    _ITEMS[endpoint] = MenuItem(frozenset(roles), endpoint, label, position)


def menu_for(user: Any) -> list[dict[str, str]]:
    """The entries for ``user`` as {"url", "label"}, by position; endpoints not in this app are skipped."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = sorted((i for i in _ITEMS.values() if user.role in i.roles), key=lambda i: (i.position, i.endpoint))
    return [{"url": url_for(i.endpoint), "label": str(i.label), "endpoint": i.endpoint}
            for i in items if i.endpoint in current_app.view_functions]
