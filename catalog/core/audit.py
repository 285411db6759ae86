"""The audit trail: every insert, update and delete of an audited record, written automatically.

A model opts in by inheriting :class:`Audited`. After each flush, one ``audit_log`` row per changed
record is written on the same connection, so the trail commits or rolls back with the change itself.
The row holds who, when, record type and id, the action, the changed fields with old and new values,
and the reason given for the change (:func:`reason`). The table is append-only: database triggers
refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

import contextvars
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.core.db import Base, UTCDateTime, utcnow

_actor: contextvars.ContextVar[tuple[int | None, str] | None] = contextvars.ContextVar(
    "audit_actor", default=None
)
_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_reason", default=None)

#: columns that change on every save and say nothing to a reader of the history
_SKIPPED_FIELDS = frozenset({"updated_at", "created_at", "search_text", "sort_key"})


class AuditLog(Base):
    """One change to one record. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    #: when the change was flushed, UTC
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: the user who made the change; null for system jobs
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: the actor's e-mail (or "system"), kept even if the user is renamed
    actor_label: Mapped[str] = mapped_column(sa.String(255))
    #: the table name of the changed record, e.g. "objects"
    record_type: Mapped[str] = mapped_column(sa.String(64))
    #: primary key of the changed record, as text
    record_id: Mapped[str] = mapped_column(sa.String(64))
    #: insert, update or delete
    action: Mapped[str] = mapped_column(sa.String(8))
    #: {field: [old, new]} with values rendered as text
    changes: Mapped[dict[str, list[str | None]]] = mapped_column(sa.JSON)
    #: why the change was made, when the user or the job said so
    reason: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_audit_log_record", "record_type", "record_id"),)

    def __repr__(self) -> str:
        return f"<AuditLog {self.id} {self.action} {self.record_type}#{self.record_id}>"


class Audited:
    """Mixin: changes to this model are written to the audit trail."""

    __audit_exclude__: frozenset[str] = frozenset()


def set_actor(user_id: int | None, label: str) -> contextvars.Token[Any]:
    """Name who is acting for the rest of this context (request or CLI command)."""
    return _actor.set((user_id, label))


def reset_actor(token: contextvars.Token[Any]) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute changes made inside the block to ``user`` (None for the system)."""
    token = _actor.set((user.id, user.email) if user is not None else (None, "system"))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def reason(text: str | None) -> Iterator[None]:
    """Record ``text`` as the reason of every change flushed inside the block."""
    token = _reason.set(text)
    try:
        yield
    finally:
        _reason.reset(token)


def _current_actor() -> tuple[int | None, str]:
    actor = _actor.get()
    if actor is not None:
        return actor
    try:
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.email
    except RuntimeError:  # outside a request
        pass
    return None, "system"


def render_value(value: Any) -> str | None:
    """Render a column value as the text the history shows."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _record_id(obj: Any) -> str:
    # After a flush the primary key is set even though the identity key is not yet registered.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _changes(obj: Any, action: str) -> dict[str, list[str | None]]:
    state = inspect(obj)
    changes: dict[str, list[str | None]] = {}
    excluded = _SKIPPED_FIELDS | type(obj).__audit_exclude__
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in excluded:
            continue
        if action == "insert":
            value = getattr(obj, key)
            if value is not None and value != "":
                changes[key] = [None, render_value(value)]
        elif action == "delete":
            changes[key] = [render_value(state.committed_state.get(key, getattr(obj, key))), None]
        else:
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if render_value(old) != render_value(new):
                changes[key] = [render_value(old), render_value(new)]
    if action == "update":
        changes.update(_collection_changes(obj, excluded))
    return changes


def _label(related: Any) -> str:
    """How a linked record is named in the history: its code, number or id."""
    for attr in ("code", "number", "email", "id"):
        value = getattr(related, attr, None)
        if value is not None:
            return str(value)
    return str(related)


def _collection_changes(obj: Any, excluded: frozenset[str]) -> dict[str, list[str | None]]:
    """Changes to many-to-many links (a user's roles, a role's permissions)."""
    changes: dict[str, list[str | None]] = {}
    state = inspect(obj)
    for rel in state.mapper.relationships:
        if rel.secondary is None or rel.key in excluded or rel.viewonly:
            continue
        hist = state.attrs[rel.key].history
        if not (hist.added or hist.deleted):
            continue
        before = sorted(_label(o) for o in (*hist.unchanged, *hist.deleted))
        after = sorted(_label(o) for o in (*hist.unchanged, *hist.added))
        if before != after:
            changes[rel.key] = [", ".join(before), ", ".join(after)]
    return changes


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session: Session, flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    actor_id, actor_label = _current_actor()
    now = utcnow()
    why = _reason.get()
    for action, objects in (("insert", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == "update" and not session.is_modified(obj):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append({
                "occurred_at": now, "actor_id": actor_id, "actor_label": actor_label,
                "record_type": obj.__tablename__, "record_id": _record_id(obj),  # type: ignore[attr-defined]
                "action": action, "changes": changes, "reason": why,
            })  # fmt: skip
    if rows:
        session.connection().execute(sa.insert(AuditLog), rows)


def history(record_type: str, record_id: Any) -> sa.Select[tuple[AuditLog]]:
    """Query for the history of one record, newest first."""
    return (
        sa.select(AuditLog)
        .where(AuditLog.record_type == record_type, AuditLog.record_id == str(record_id))
        .order_by(AuditLog.id.desc())
    )
