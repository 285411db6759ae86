"""Forms that pick a party from a list still work when the museum has thousands of parties.

A catalogue of real size has a party for every maker; the party lists stop at 2,000 names, and
a payer sorted after them must still be accepted (found by the loopback load test).
"""

from __future__ import annotations

import sqlalchemy as sa

from catalog.finance import services as finance
from catalog.finance.models import Payment
from catalog.parties.models import Party


def test_payment_from_a_party_beyond_the_list(client, auth, db_session):
    officer = auth.login("admin")
    db_session.execute(sa.insert(Party), [
        {"kind": "person", "name": f"Aardvark {n:04d}", "sort_name": f"Aardvark {n:04d}"}
        for n in range(2_001)])
    payer = Party(kind="organisation", name="Zed Gallery", sort_name="Zed Gallery")
    db_session.add(payer)
    db_session.flush()
    invoice = finance.create_invoice(db_session, party=payer, kind="loan_fee", actor=officer)
    finance.add_line(db_session, invoice, description="Loan fee", quantity=1,
                     unit_price_minor=5_000, actor=officer)
    finance.issue_invoice(db_session, invoice, actor=officer)

    response = client.post(f"/finance/payments/new?party_id={payer.id}", data={
        "party_id": payer.id, "amount": "50.00", "currency": "GBP",
        "received_on": finance.today().isoformat(), "method": "card", "mode": "oldest"})

    assert response.status_code == 302, response.get_data(as_text=True)[-600:]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Payment).where(
        Payment.party_id == payer.id)) == 1
