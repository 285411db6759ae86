"""The finance JSON API: finance roles only, balances as of a date, payments refused whole."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from catalog.finance.models import LedgerLine
from catalog.users.services import create_token


def _bearer(db_session, user):
    _, plain = create_token(db_session, user, name="accounts system")
    db_session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_invoices_balances_and_payments(client, db_session, make_party, make_invoice, officer,
                                        make_user):
    party = make_party()
    invoice = make_invoice(party, ("Fee", 1, 10_000, 2000), issue_date=date(2026, 4, 1))
    headers = _bearer(db_session, officer)
    rows = client.get(f"/api/v1/finance/invoices?party_id={party.id}", headers=headers).json
    assert [(r["number"], r["total_minor"], r["open_minor"]) for r in rows] == [
        (invoice.number, 12_000, 12_000)]
    detail = client.get(f"/api/v1/finance/invoices/{invoice.id}", headers=headers).json
    assert detail["lines"][0]["tax_rate_bp"] == 2000

    refused = client.post("/api/v1/finance/payments", headers=headers, json={
        "party_id": party.id, "amount_minor": 20_000, "currency": "GBP",
        "received_on": "2026-05-01", "method": "bank_transfer",
        "allocations": [{"invoice_id": invoice.id, "amount_minor": 15_000}]})
    assert refused.status_code == 422
    assert "more than the GBP 120.00 open" in refused.json["message"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine).where(
        LedgerLine.party_id == party.id)) == 3

    paid = client.post("/api/v1/finance/payments", headers=headers, json={
        "party_id": party.id, "amount_minor": 20_000, "currency": "GBP",
        "received_on": "2026-05-01", "method": "bank_transfer", "reference": "BACS"})
    assert paid.status_code == 201
    assert paid.json["allocations"] == [{"invoice_id": invoice.id, "amount_minor": 12_000}]
    assert paid.json["unapplied_minor"] == 8_000

    balance = client.get(f"/api/v1/finance/parties/{party.id}/balance?as_of=2026-04-15",
                         headers=headers).json
    assert balance["balances"] == [{"currency": "GBP", "receivable_minor": 12_000,
                                    "unapplied_minor": 0}]
    balance = client.get(f"/api/v1/finance/parties/{party.id}/balance?as_of=2026-05-15",
                         headers=headers).json
    assert balance["balances"] == [{"currency": "GBP", "receivable_minor": 0,
                                    "unapplied_minor": 8_000}]

    registrar = _bearer(db_session, make_user("registrar"))
    assert client.get("/api/v1/finance/invoices", headers=registrar).status_code == 403
