"""Saved searches and the per-user selection of objects for batch actions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalog.core.db import Base, UTCDateTime, utcnow


class SavedSearch(Base):
    """A search a user named and kept (a query string of the search page).

    Not audited: it is a personal shortcut, not part of the catalogue.
    """

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the search page's query string, e.g. "q=turner&department=Prints"
    query: Mapped[str] = mapped_column(sa.String(4000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)


class SelectedObject(Base):
    """One object in one user's working selection (kept server-side, so "select all 40,000
    results" costs one INSERT … SELECT rather than a page of checkboxes)."""

    __tablename__ = "search_selections"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
