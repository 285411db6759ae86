"""Demo finance data: accounts, invoices in every state, payments, a write-off and a pledge."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.demo import demo_loader

#: (name, sort name, kind, currency, terms, account kind, contact e-mail)
DEMO_PARTIES = [
    ("Whitworth Art Gallery", "Whitworth Art Gallery", "organisation", "GBP", 30,
     "institution", "accounts@whitworth.example"),
    ("Rijksmuseum", "Rijksmuseum", "organisation", "EUR", 45, "institution",
     "crediteuren@rijksmuseum.example"),
    ("Dr Amelia Hart", "Hart, Amelia", "person", "GBP", 14, "individual",
     "amelia.hart@example.org"),
    ("Margaret Ellison", "Ellison, Margaret", "person", "GBP", 30, "individual",
     "m.ellison@example.org"),
]

MARKER = "Demo:"


@demo_loader(70, "finance")
def load_finance(session: Session) -> list[str]:
    from catalog.finance import services
    from catalog.finance.models import Invoice
    from catalog.parties.models import Party

    if session.scalar(sa.select(Invoice.id).where(Invoice.reference.like(f"{MARKER}%"))):
        return ["finance: demo invoices already there"]
    parties = {}
    for name, sort_name, kind, currency, terms, account_kind, email in DEMO_PARTIES:
        party = session.scalar(sa.select(Party).where(Party.name == name))
        if party is None:
            party = Party(name=name, sort_name=sort_name, kind=kind)
            session.add(party)
            session.flush()
        account = services.get_account(session, party)
        account.currency, account.payment_terms_days, account.kind = currency, terms, account_kind
        if not account.contacts:
            services.add_contact(session, party, name="Accounts", email=email,
                                 email_opt_out=False, actor=None)
        parties[name] = party
    session.flush()
    today = services.today()

    def invoice(party_name: str, kind: str, lines: list[tuple[str, str, int, int]],
                ref: str, days_ago: int | None) -> Invoice:
        party = parties[party_name]
        record = services.create_invoice(session, party=party, kind=kind, actor=None,
                                         reference=f"{MARKER} {ref}")
        for description, qty, price, tax in lines:
            services.add_line(session, record, description=description, quantity=qty,
                              unit_price_minor=price, tax_rate_bp=tax, actor=None)
        if days_ago is not None:
            services.issue_invoice(session, record, actor=None,
                                   issue_date=today - timedelta(days=days_ago))
        return record

    loan = invoice("Whitworth Art Gallery", "loan_fee",
                   [("Loan fee, 3 works, exhibition 'Turner and the Sea'", "1", 150_000, 2000),
                    ("Courier supervision (days)", "2.5", 32_000, 2000)], "Loan L-2026-004", 60)
    services.record_payment(session, party=parties["Whitworth Art Gallery"],
                            amount_minor=100_000, currency="GBP",
                            received_on=today - timedelta(days=20), method="bank_transfer",
                            reference=f"BACS {loan.number}", actor=None)
    rijks = invoice("Rijksmuseum", "loan_fee", [("Loan fee, 'Norham Castle, Sunrise'", "1",
                                                 250_000, 0)], "Loan L-2026-007", 75)
    repro = invoice("Dr Amelia Hart", "reproduction",
                    [("High-resolution image N05123, publication licence", "1", 12_000, 2000),
                     ("High-resolution image T03868, publication licence", "1", 12_000, 2000)],
                    "Image order 2026-118", 10)
    services.record_payment(session, party=parties["Dr Amelia Hart"], amount_minor=30_000,
                            currency="GBP", received_on=today - timedelta(days=3),
                            method="card", reference="Card payment", actor=None)
    invoice("Whitworth Art Gallery", "storage",
            [("Storage of deposited works, square metres × months", "4.5", 2_500, 2000)],
            "Deposit D-12", None)
    membership = invoice("Dr Amelia Hart", "membership",
                         [("Annual membership 2026", "1", 6_000, 0)], "Membership 2026", 40)
    services.create_credit_note(session, membership, reason="Membership already paid online",
                                actor=None)
    small = invoice("Whitworth Art Gallery", "other", [("Catalogue copies", "3", 3_500, 0)],
                    "Catalogues", 200)
    # waits on the Write-offs page for a finance user whose limit covers it
    services.request_write_off(session, small, amount_minor=10_500,
                               reason="Copies lost in transit; not worth pursuing", actor=None)
    pledge = services.create_pledge(session, party=parties["Margaret Ellison"], currency="GBP",
                                     total_minor=300_000, pledged_on=today - timedelta(days=70),
                                     purpose="Conservation of the Turner sketchbooks",
                                     instalments=3, first_due=today - timedelta(days=30),
                                     every_months=6, actor=None)
    raised = services.raise_instalments(session, as_of=today, actor=None)
    for record in raised:
        services.record_payment(session, party=pledge.party, amount_minor=record.total_minor,
                                currency="GBP", received_on=today - timedelta(days=5),
                                method="direct_debit", reference=record.number, actor=None)
    return [f"finance: {len(parties)} accounts; invoices {loan.number}, {rijks.number}, "
            f"{repro.number} …; a pledge with {len(raised)} instalment invoiced"]
