"""Reminders travel through the outbox to a real SMTP server on loopback; the CLI runs dunning."""

from datetime import timedelta

import sqlalchemy as sa

from catalog.core.outbox import send_pending
from catalog.finance import services as finance
from catalog.parties.models import Party
from catalog.receivables.dunning import approve_run, start_run
from tests.receivables.conftest import APPROVE, TODAY


def test_reminders_reach_a_real_smtp_server(
    db_session, make_party, overdue, collector, smtp_server
):
    party = make_party("Mailed Gallery", email="ledger@mailed.example")
    overdue(party, 10_000, days=10)
    overdue(party, 2_500, days=9)
    approve_run(
        db_session, start_run(db_session, as_of=TODAY, actor=collector), actor=collector, **APPROVE
    )
    db_session.commit()  # the request's commit; the sender claims committed rows
    assert send_pending(db_session, smtp_url=smtp_server.url, sender="museum@example.org") == 1
    (message,) = smtp_server.messages
    assert message["To"] == "ledger@mailed.example"
    assert "List-Unsubscribe" in message
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "GBP 125.00" in body  # both overdue items, one consolidated reminder
    assert "/receivables/opt-out/" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    # Sending again sends nothing more.
    assert send_pending(db_session, smtp_url=smtp_server.url, sender="museum@example.org") == 0
    assert len(smtp_server.messages) == 1


def test_cli_dunning_run_is_idempotent(app, db_session, make_user):
    # The CLI's session joins the test's connection (db_session binds every new session to it).
    committed_db = db_session
    from catalog.parties.models import PartyRole  # noqa: F401  (mapper configured)

    with app.app_context():
        officer = make_user(
            "finance_officer",
            email="cli-officer@example.org",
            authority_limit_minor=50_000,
            authority_currency="GBP",
        )
        party = Party(
            name="CLI Borrower",
            sort_name="CLI Borrower",
            kind="organisation",
            email="cli@borrower.example",
        )
        committed_db.add(party)
        committed_db.flush()
        invoice = finance.create_invoice(committed_db, party=party, kind="other", actor=officer)
        finance.add_line(
            committed_db,
            invoice,
            description="Fee",
            quantity=1,
            unit_price_minor=10_000,
            actor=officer,
        )
        finance.issue_invoice(
            committed_db, invoice, actor=officer, issue_date=TODAY - timedelta(days=45)
        )
        committed_db.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(
        args=[
            "dunning",
            "run",
            "--as-of",
            TODAY.isoformat(),
            "--approve",
            "--as",
            "cli-officer@example.org",
        ]
    )
    assert first.exit_code == 0, first.output
    assert "1 proposed" in first.output
    assert "1 approved" in first.output
    again = runner.invoke(
        args=[
            "dunning",
            "run",
            "--as-of",
            TODAY.isoformat(),
            "--approve",
            "--as",
            "cli-officer@example.org",
        ]
    )
    assert again.exit_code == 0
    assert "0 proposed" in again.output
    with app.app_context():
        from catalog.core.outbox import OutboxMessage

        assert committed_db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    bad = runner.invoke(args=["dunning", "run", "--as-of", "15/06/2026"])
    assert bad.exit_code == 1
    assert bad.output.strip().startswith("Error:")
    assert len(bad.output.strip().splitlines()) == 1
