"""vocabularies domain."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register blueprints, navigation, API and CLI (filled in as the domain grows)."""
