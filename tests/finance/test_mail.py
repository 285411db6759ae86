"""Invoices and statements reach a real SMTP server (aiosmtpd on loopback) with the PDF."""

from __future__ import annotations

import email
import socket
from datetime import date

import pytest
import sqlalchemy as sa

from catalog.core.errors import DomainError
from catalog.core.outbox import OutboxMessage, send_pending
from catalog.finance import services


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


def test_invoice_and_statement_are_mailed_with_pdfs(db_session, make_party, make_invoice,
                                                    officer, smtp_server):
    url, inbox = smtp_server
    party = make_party("Tate", email=None)
    invoice = make_invoice(party, ("Loan fee", 1, 20_000, 0))
    with pytest.raises(DomainError, match="no finance contact"):
        services.send_invoice(db_session, invoice, actor=officer)
    services.add_contact(db_session, party, name="Ledger", email="ledger@tate.example",
                         email_opt_out=False, actor=officer)
    services.add_contact(db_session, party, name="Quiet", email="quiet@tate.example",
                         email_opt_out=True, actor=officer)
    assert services.send_invoice(db_session, invoice, actor=officer) == ["ledger@tate.example"]
    services.send_statement(db_session, party, currency="GBP", as_of=date(2030, 1, 1),
                            actor=officer)
    db_session.flush()
    pending = db_session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.status == "pending")).all()
    assert len(pending) == 2
    sent = send_pending(db_session, smtp_url=url, sender="finance@museum.example")
    assert sent == 2
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == [f"Invoice {invoice.number}", "Statement of account, 01 January 2030"]
    for message in inbox.messages:
        assert message["To"] == "ledger@tate.example"
        attachment = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
        assert attachment.get_payload(decode=True).startswith(b"%PDF")
