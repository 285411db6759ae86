"""Users, roles, permissions, login throttling and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow

role_permissions = sa.Table(
    "role_permissions",
    Base.metadata,
    sa.Column("role_id", sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("permission_code", sa.ForeignKey("permissions.code", ondelete="CASCADE"),
              primary_key=True),
)

user_roles = sa.Table(
    "user_roles",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Permission(Base):
    """A permission known to the code (see ``catalog.core.permissions.PERMISSIONS``)."""

    __tablename__ = "permissions"

    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    description: Mapped[str] = mapped_column(sa.String(200))

    def __repr__(self) -> str:
        return f"<Permission {self.code}>"


class Role(Audited, Base):
    """A named set of permissions, editable by an admin."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))

    permissions: Mapped[list[Permission]] = relationship(secondary=role_permissions,
                                                         order_by=Permission.code)

    @property
    def permission_codes(self) -> set[str]:
        return {p.code for p in self.permissions}

    def __repr__(self) -> str:
        return f"<Role {self.id} {self.code}>"


class User(Audited, TimestampMixin, Base):
    """A person who signs in to Catalog."""

    __tablename__ = "users"
    __audit_exclude__ = frozenset({"password_hash", "session_token", "last_login_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased; the sign-in name
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: argon2id hash
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    #: a disabled user cannot sign in and loses open sessions and tokens
    is_disabled: Mapped[bool] = mapped_column(default=False)
    #: rotated on password change or disabling, which signs out every session and device
    session_token: Mapped[str] = mapped_column(sa.String(64))
    #: the largest write-off or settlement this user may approve alone, in minor units
    authority_limit_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    authority_currency: Mapped[str | None] = mapped_column(sa.String(3))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin",
                                             order_by=Role.code)

    __table_args__ = (
        sa.CheckConstraint("authority_limit_minor IS NULL OR authority_limit_minor >= 0",
                           name="authority_limit_not_negative"),
    )

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session token is part of the id so that rotating it ends every session.
        return f"{self.id}:{self.session_token}"

    @property
    def permissions(self) -> frozenset[str]:
        cached: frozenset[str] | None = self.__dict__.get("_permissions_cache")
        if cached is None:
            cached = frozenset(p.code for role in self.roles for p in role.permissions)
            self.__dict__["_permissions_cache"] = cached
        return cached

    def can(self, permission: str) -> bool:
        from catalog.core.permissions import has_permission

        return has_permission(self, permission)

    @property
    def role_names(self) -> str:
        return ", ".join(role.name for role in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


@sa.event.listens_for(User, "expire")
@sa.event.listens_for(User, "refresh")
def _forget_cached_permissions(user: User, *args: object) -> None:
    # Roles and grants may have changed in the transaction that just ended.
    user.__dict__.pop("_permissions_cache", None)


class LoginFailure(Base):
    """A failed sign-in, counted per account and per address to throttle guessing.

    Kept in the database so that the limit holds across every app process and server.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "email:<address>" or "ip:<address>"
    key: Mapped[str] = mapped_column(sa.String(340))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.Index("ix_login_failures_key_time", "key", "occurred_at"),)


class ApiToken(Audited, Base):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __audit_exclude__ = frozenset({"token_hash", "last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: hex SHA-256 of the token; tokens are 256-bit random, so a fast hash is enough
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: first characters of the token, to tell tokens apart in the UI
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
