"""Use cases for accounts: creating users, signing in with throttling, roles and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import DEFAULT_GRANTS, PERMISSIONS, ROLES
from catalog.users.models import ApiToken, LoginFailure, Permission, Role, User

_STRONG = PasswordHasher()  # argon2id with the library's current recommended parameters
#: cheap parameters for the test suite only (PASSWORD_HASH_FAST); never in production
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    from flask import current_app

    try:
        fast = current_app.config.get("PASSWORD_HASH_FAST", False)
    except RuntimeError:
        fast = False
    return _FAST if fast else _STRONG


_DUMMY_HASHES: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash to verify against when the account does not exist, made once per hasher."""
    hasher = _hasher()
    if id(hasher) not in _DUMMY_HASHES:
        _DUMMY_HASHES[id(hasher)] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[id(hasher)]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.",
                              field="password")


def sync_permissions(session: Session) -> None:
    """Bring the permission and role tables up to date with the code.

    New permissions are inserted and granted to their default roles; new roles are created with
    their default grants. Grants an admin has changed are left alone.
    """
    known = set(session.scalars(sa.select(Permission.code)))
    new_codes = [code for code in PERMISSIONS if code not in known]
    for code in new_codes:
        session.add(Permission(code=code, description=PERMISSIONS[code]))
    for code, description in PERMISSIONS.items():
        perm = session.get(Permission, code)
        if perm is not None and perm.description != description:
            perm.description = description
    session.flush()
    roles = {role.code: role for role in session.scalars(sa.select(Role))}
    for code, (name, _) in ROLES.items():
        role = roles.get(code)
        if role is None:
            role = Role(code=code, name=name)
            session.add(role)
            grant = DEFAULT_GRANTS[code]
        else:
            grant = DEFAULT_GRANTS[code] & set(new_codes)
        for perm_code in sorted(grant - role.permission_codes):
            role.permissions.append(session.get(Permission, perm_code))  # type: ignore[arg-type]
    session.flush()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_role(session: Session, code: str) -> Role:
    role = session.scalar(sa.select(Role).where(Role.code == code))
    if role is None:
        known = ", ".join(sorted(ROLES))
        raise ValidationError(f"There is no role {code!r}. Roles are: {known}.", field="role")
    return role


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role_codes: list[str],
    name: str = "",
    authority_limit_minor: int | None = None,
    authority_currency: str | None = None,
) -> User:
    """Create an account with the given roles.

    Raises:
        ValidationError: bad address, weak password, unknown role or an address already in use.
    """
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise ValidationError("Enter a valid e-mail address.", field="email")
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ValidationError(f"A user with the address {email} already exists.", field="email")
    check_password_strength(password)
    roles = [get_role(session, code) for code in role_codes]
    user = User(
        email=email, name=name.strip(), password_hash=hash_password(password),
        session_token=secrets.token_hex(16), roles=roles,
        authority_limit_minor=authority_limit_minor,
        authority_currency=authority_currency if authority_limit_minor is not None else None,
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    #: a message for the person signing in when ``user`` is None
    error: str | None = None
    #: True when throttling refused the attempt (HTTP 429)
    throttled: bool = False


def _recent_failures(session: Session, key: str, window: timedelta) -> int:
    since = utcnow() - window
    query = sa.select(sa.func.count()).where(LoginFailure.key == key,
                                             LoginFailure.occurred_at >= since)
    return session.scalar(query) or 0


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    remote_addr: str,
    max_failures: int,
    window_seconds: int,
) -> SignInResult:
    """Check a sign-in attempt, counting failures per account and per address.

    The message never says whether the address or the password was wrong.
    """
    email = normalise_email(email)
    window = timedelta(seconds=window_seconds)
    keys = [f"email:{email}", f"ip:{remote_addr}"]
    # The address limit is wider: a whole store of tablets may share one NAT address.
    limits = [max_failures, max_failures * 4]
    if any(_recent_failures(session, key, window) >= limit
           for key, limit in zip(keys, limits, strict=True)):
        minutes = max(1, window_seconds // 60)
        return SignInResult(None, f"Too many failed sign-ins. Try again in {minutes} minutes.",
                            throttled=True)
    user = session.scalar(sa.select(User).where(User.email == email))
    ok = False
    try:
        # Without an account a dummy hash is checked, so timing does not tell accounts apart.
        stored = user.password_hash if user else _dummy_hash()
        ok = _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        # Failures older than the window no longer count; forget them so the table stays small.
        session.execute(sa.delete(LoginFailure).where(LoginFailure.key.in_(keys),
                                                      LoginFailure.occurred_at < utcnow() - window))
        session.add_all([LoginFailure(key=key) for key in keys])
        return SignInResult(None, "The e-mail address or password is not right.")
    if user.is_disabled:
        return SignInResult(None, "This account has been disabled. Ask an administrator.")
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.execute(sa.delete(LoginFailure).where(LoginFailure.key == keys[0]))
    return SignInResult(user)


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Change the user's own password; every other session and device is signed out."""
    try:
        _hasher().verify(user.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise ValidationError("The current password is not right.",
                              field="current_password") from None
    check_password_strength(new)
    set_password(user, new)


def set_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)


def set_disabled(user: User, disabled: bool, *, actor: User) -> None:
    """Disable or re-enable an account. Disabling ends its sessions; its API tokens stop working
    while it stays disabled."""
    if user.id == actor.id and disabled:
        raise ValidationError("You cannot disable your own account.")
    user.is_disabled = disabled
    if disabled:
        user.session_token = secrets.token_hex(16)


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role_codes: list[str],
    authority_limit_minor: int | None,
    authority_currency: str | None,
    actor: User,
) -> None:
    """Change a user's name, roles and authority limit."""
    roles = [get_role(session, code) for code in role_codes]
    if user.id == actor.id and "admin" not in role_codes:
        raise ValidationError("You cannot remove the administrator role from yourself.",
                              field="roles")
    user.name = name.strip()
    user.roles = roles
    user.authority_limit_minor = authority_limit_minor
    user.authority_currency = authority_currency if authority_limit_minor is not None else None
    user.__dict__.pop("_permissions_cache", None)


def set_role_permissions(session: Session, role: Role, codes: set[str]) -> None:
    """Replace the permissions of ``role``. The admin role always keeps user management."""
    unknown = codes - set(PERMISSIONS)
    if unknown:
        raise ValidationError(f"Unknown permissions: {', '.join(sorted(unknown))}.")
    if role.code == "admin" and "admin.users" not in codes:
        raise ValidationError("The administrator role must keep “Manage users”, or nobody could.")
    role.permissions = [p for p in session.scalars(sa.select(Permission)) if p.code in codes]


def create_token(session: Session, user: User, *, name: str) -> tuple[ApiToken, str]:
    """Create an API token. The plain token is returned once and never stored."""
    plain = "cat_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip() or "API token",
                     token_hash=ApiToken.hash(plain), prefix=plain[:10])
    session.add(token)
    session.flush()
    return token, plain


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def user_for_token(session: Session, plain: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(plain)))
    if token is None or token.revoked_at is not None or token.user.is_disabled:
        return None
    return token.user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such user.")
    return user
