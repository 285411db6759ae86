"""Navigation entries contributed by each domain, shown when the user holds the permission."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str | None
    order: int


def add_nav(app: Flask, label: str, endpoint: str, permission: str | None, *, order: int) -> None:
    items: list[NavItem] = app.extensions["catalog_nav"]
    items.append(NavItem(label, endpoint, permission, order))
    items.sort(key=lambda item: item.order)
