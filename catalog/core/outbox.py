"""The transactional outbox: mail is written in the business transaction and sent afterwards.

A service calls :func:`enqueue_mail` in the same unit of work as the change that causes the mail;
if the transaction rolls back, no mail exists. ``catalog outbox send`` drains the table over SMTP.
Several senders may run at once: each claims its batch with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (SQLite serialises writers, so a claim there is the same single writer).
A ``dedupe_key`` makes enqueuing idempotent: the database refuses a second message with the key.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlparse

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from catalog.core.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class OutboxMessage(Base):
    """An e-mail waiting to be sent, or the record that it was."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: pending, sent or failed (gave up after MAX_ATTEMPTS)
    status: Mapped[str] = mapped_column(sa.String(8), default="pending", index=True)
    to_addr: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    #: extra headers, e.g. List-Unsubscribe for dunning mail
    headers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: idempotency key: a second message with the same key is refused by the database
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    #: not before this time (e.g. quiet hours of the recipient)
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[str | None] = mapped_column(sa.String(300))

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} to={self.to_addr!r}>"


class OutboxAttachment(Base):
    """A file (e.g. a PDF letter or invoice) sent with an outbox message."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def enqueue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    headers: dict[str, str] | None = None,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction.

    Returns:
        The new message (flushed only when the caller flushes).
    """
    message = OutboxMessage(
        to_addr=to, subject=subject, body_text=body_text, body_html=body_html,
        headers=dict(headers or {}), dedupe_key=dedupe_key, send_after=send_after,
        attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type,
                                      content=a.content) for a in attachments],
    )  # fmt: skip
    session.add(message)
    return message


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    mode: str  # plain, starttls or ssl

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``smtp://user:pass@host:port``, ``smtp+starttls://…`` or ``smtps://…``."""
        parsed = urlparse(url)
        mode = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}.get(parsed.scheme)
        if mode is None:
            raise ValueError("SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
        default_port = {"plain": 25, "starttls": 587, "ssl": 465}[mode]
        return cls(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or default_port,
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            mode=mode,
        )


def _build(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id or make_msgid(domain="catalog.local")
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                             filename=attachment.filename)
    return email


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.mode == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=30,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
        if settings.mode == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def send_pending(engine_session: Any, *, smtp_url: str, sender: str, batch: int = 50) -> int:
    """Send pending messages in batches, each batch in its own short transaction.

    Args:
        engine_session: a session factory (``db.session``) whose transactions this function owns.
        smtp_url: where to deliver.
        sender: the From address.
        batch: how many messages one claim takes.

    Returns:
        The number of messages sent.
    """
    settings = SmtpSettings.from_url(smtp_url)
    sent = 0
    smtp: smtplib.SMTP | None = None
    try:
        while True:
            session: Session = engine_session
            now = utcnow()
            claim = (
                sa.select(OutboxMessage)
                .where(OutboxMessage.status == "pending",
                       sa.or_(OutboxMessage.send_after.is_(None), OutboxMessage.send_after <= now))
                .order_by(OutboxMessage.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )  # fmt: skip
            messages = list(session.scalars(claim))
            if not messages:
                session.rollback()
                break
            for message in messages:
                message.attempts += 1
                try:
                    if smtp is None:
                        smtp = _connect(settings)
                    email = _build(message, sender)
                    smtp.send_message(email)
                except (OSError, smtplib.SMTPException) as exc:
                    log.warning("outbox message %s not sent: %s", message.id, exc)
                    message.last_error = str(exc)[:2000]
                    if message.attempts >= MAX_ATTEMPTS:
                        message.status = "failed"
                    else:
                        # back off so a dead server does not spin the sender
                        message.send_after = now + timedelta(minutes=2**message.attempts)
                    smtp = None
                    continue
                message.status = "sent"
                message.sent_at = utcnow()
                message.message_id = email["Message-ID"]
                message.last_error = None
                sent += 1
            session.commit()
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
    return sent
