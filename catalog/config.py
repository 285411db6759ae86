"""Configuration read from the environment.

Every setting has a safe default for a single-machine install: a SQLite file in ``instance/``,
a secret key generated once and kept in ``instance/secret_key`` (never in the repository).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def _secret_key(instance_path: Path, given: str | None) -> str:
    """Return the given key, ``SECRET_KEY`` from the environment, or one generated per instance."""
    if key := given or os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def from_environment(instance_path: Path, secret_key: str | None = None) -> dict[str, Any]:
    """Build the configuration mapping for :func:`catalog.create_app`."""
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'catalog.db'}"
    public_base_url = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return {
        "SECRET_KEY": _secret_key(instance_path, secret_key),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "PUBLIC_BASE_URL": public_base_url,
        "MEDIA_DIR": env.get("MEDIA_DIR") or str(instance_path / "media"),
        "SMTP_URL": env.get("SMTP_URL", "smtp://127.0.0.1:25"),
        "MAIL_FROM": env.get("MAIL_FROM", "Catalog <catalog@localhost>"),
        "MUSEUM_TIMEZONE": env.get("MUSEUM_TIMEZONE", "Europe/London"),
        "MUSEUM_NAME": env.get("MUSEUM_NAME", "Catalog Museum"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        #: "json" for one JSON object per line (production), anything else for plain lines
        "LOG_FORMAT": env.get("LOG_FORMAT", "text"),
        "ACCESS_LOG": env.get("ACCESS_LOG", "") in ("1", "true", "yes"),
        #: how many reverse proxies (load balancer, nginx) stand in front of the app; their
        #: X-Forwarded-For is trusted so that login throttling counts the real client address
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0") or 0),
        # Cookies are marked Secure whenever the public address is https; a plain-http
        # development server on loopback would otherwise never keep a session.
        "SESSION_COOKIE_SECURE": public_base_url.startswith("https://"),
        "REMEMBER_COOKIE_SECURE": public_base_url.startswith("https://"),
    }


def normalise_database_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,  # tablets in the stores stay signed in a month
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
    "WTF_CSRF_TIME_LIMIT": 60 * 60 * 12,
    # CSRF is checked by catalog.core.web for every unsafe request that is not bearer-authenticated.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "LOGIN_MAX_FAILURES": 5,  # failures per account or address within the window before a lock-out
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    "PAGE_SIZE": 50,
}

