"""Bank statement import: CSV, OFX, camt.053; matching; review; no double posting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.core.errors import DomainError, ValidationError
from catalog.finance import bank, ledger
from catalog.finance.models import BankTransaction, Payment

BANK = Path(__file__).parent / "data"  # copies of ../shared/data/bank (MIT, see LICENSE files)


def _csv(*rows: str) -> bytes:
    return ("date,amount,currency,reference,counterparty,id\n" + "\n".join(rows)).encode()


def test_parse_ofx_samples():
    statement = bank.parse("checking.ofx", (BANK / "ofx" / "checking.ofx").read_bytes())
    assert statement.format == "ofx"
    assert statement.transactions
    first = statement.transactions[0]
    assert first.currency == "USD"
    assert first.amount_minor == 1
    assert first.bank_ref.startswith("ofx:")
    medium = bank.parse("bank_medium.ofx", (BANK / "ofx" / "bank_medium.ofx").read_bytes())
    assert [t.amount_minor for t in medium.transactions] == [-660, -31667, -2200]
    assert medium.transactions[0].currency == "CAD"
    multi = bank.parse("m.ofx", (BANK / "ofx" / "multiple_accounts.ofx").read_bytes())
    assert multi.account == "9100, 9200"
    assert multi.transactions == []
    assert bank.parse("s.ofx", (BANK / "ofx" / "bank_small.ofx").read_bytes()).transactions == []


@pytest.mark.parametrize("name", ["camt053.v2.minimal.xml", "camt053.v2.multi.statement.xml",
                                  "camt053.v8.xml"])
def test_parse_camt_samples(name):
    statement = bank.parse(name, (BANK / "camt053" / name).read_bytes())
    assert statement.format == "camt053"
    assert statement.transactions
    assert all(t.currency == "EUR" for t in statement.transactions)


def test_wrong_camt_is_rejected_with_a_clear_message(db_session, officer):
    data = (BANK / "camt053" / "camt053.v2.wrong.xml").read_bytes()
    with pytest.raises(ValidationError, match=r"does not follow the ISO 20022 schema.*Stmt"):
        bank.import_statement(db_session, filename="wrong.xml", data=data, actor=officer)


def test_csv_european_amounts_and_credit_debit_columns():
    data = (b"Booking date;Paid in;Paid out;Details\n"
            b"02.05.2026;1.234,50;;INV-7\n03.05.2026;;10,00;fee\n")
    statement = bank.parse("x.csv", data, default_currency="EUR")
    assert [(t.booked_on, t.amount_minor) for t in statement.transactions] == [
        (date(2026, 5, 2), 123_450), (date(2026, 5, 3), -1_000)]
    with pytest.raises(ValidationError, match="date and an amount"):
        bank.parse("x.csv", b"foo,bar\n1,2\n")
    with pytest.raises(ValidationError, match="Row 2"):
        bank.parse("x.csv", b"date,amount\n2026-01-01,12.345\n")


def test_import_matches_posts_and_refuses_the_same_file_twice(db_session, make_party,
                                                              make_invoice, officer):
    party = make_party()
    sure = make_invoice(party, ("A", 1, 12_000, 0))
    differs = make_invoice(party, ("B", 1, 5_000, 0))
    by_amount = make_invoice(make_party(), ("C", 1, 7_777, 0))
    data = _csv(f"2026-05-02,120.00,GBP,Payment {sure.number},Tate,T1",
                f"2026-05-02,40.00,GBP,{differs.number.replace('-', ' ').lower()},Tate,T2",
                "2026-05-03,77.77,GBP,thanks,Someone,T3",
                "2026-05-03,-9.99,GBP,bank fee,,T4",
                "2026-05-03,1.00,GBP,nothing,,T5")
    record = bank.import_statement(db_session, filename="may.csv", data=data, actor=officer)
    statuses = {t.bank_ref: t.status for t in record.transactions}
    assert statuses == {"csv:T1": "matched", "csv:T2": "unsure", "csv:T3": "unsure",
                        "csv:T4": "outgoing", "csv:T5": "unmatched"}
    assert sure.status == "paid"
    assert ledger.invoice_balance(db_session, differs.id) == 5_000
    t2, t3, t5 = (next(t for t in record.transactions if t.bank_ref == r)
                  for r in ("csv:T2", "csv:T3", "csv:T5"))
    assert t3.invoice_id == by_amount.id
    bank.confirm_transaction(db_session, t2, actor=officer)
    assert differs.status == "partly_paid"
    assert t2.status == "confirmed"
    bank.reassign_transaction(db_session, t3, invoice_number=differs.number, actor=officer)
    # 77.77 against 10.00 open: 10.00 allocated, 67.77 kept as unapplied cash
    assert differs.status == "paid"
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 6_777
    bank.ignore_transaction(db_session, t5, actor=officer)
    with pytest.raises(DomainError, match="already been dealt with"):
        bank.confirm_transaction(db_session, t2, actor=officer)
    payments = db_session.scalar(sa.select(sa.func.count()).select_from(Payment))
    with pytest.raises(DomainError, match="already imported"):
        bank.import_statement(db_session, filename="may-again.csv", data=data, actor=officer)
    # an overlapping statement: known transactions are skipped, new ones imported
    overlap = data + b"\n2026-05-04,2.00,GBP,new,,T6"
    second = bank.import_statement(db_session, filename="may2.csv", data=overlap, actor=officer)
    assert second.skipped_count == 5
    assert second.transaction_count == 1
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Payment)) == payments
    assert db_session.scalar(sa.select(sa.func.count()).select_from(BankTransaction).where(
        BankTransaction.bank_ref == "csv:T1")) == 1


def test_camt_import_twice_posts_once(db_session, officer):
    data = (BANK / "camt053" / "camt053.v8.xml").read_bytes()
    first = bank.import_statement(db_session, filename="v8.xml", data=data, actor=officer)
    assert first.transaction_count >= 1
    with pytest.raises(DomainError, match="already imported"):
        bank.import_statement(db_session, filename="v8.xml", data=data, actor=officer)
