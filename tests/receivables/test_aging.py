from datetime import timedelta

import pytest

from catalog.receivables.aging import aging, bucket_index, bucket_labels, parse_edges
from tests.receivables.conftest import TODAY


def test_bucket_labels_follow_the_edges():
    assert bucket_labels() == ["Current", "1–30", "31–60", "61–90", "90+"]
    assert bucket_labels((15, 45)) == ["Current", "1–15", "16–45", "45+"]
    assert [bucket_index(d) for d in (-3, 0, 1, 30, 31, 61, 91, 400)] == [0, 0, 1, 1, 2, 3, 4, 4]


def test_edges_must_increase():
    assert parse_edges("15, 45,90") == (15, 45, 90)
    with pytest.raises(ValueError, match="increasing"):
        parse_edges("60,30")
    with pytest.raises(ValueError, match="whole numbers"):
        parse_edges("a,b")


def test_aging_as_of_any_date_comes_from_the_ledger(db_session, make_party, overdue, pay):
    party = make_party("Hallé Gallery")
    old = overdue(party, 30_000, days=95)
    recent = overdue(party, 20_000, days=10)
    pay(party, 5_000, on=TODAY)  # oldest first: reduces the 95-day invoice

    report = aging(db_session, as_of=TODAY, with_invoices=True)
    (row,) = report.parties
    assert row.party_name == "Hallé Gallery"
    assert row.buckets == [0, 20_000, 0, 0, 25_000]
    assert row.total_minor == 45_000

    # As of the day before the payment the old invoice was whole, and a month earlier the recent
    # one was not yet due.
    before = aging(db_session, as_of=TODAY - timedelta(days=1)).parties[0]
    assert before.buckets[-1] == 30_000
    month_ago = aging(db_session, as_of=TODAY - timedelta(days=20)).parties[0]
    assert month_ago.buckets[0] == 20_000
    assert {i.invoice_id for i in row.invoices} == {old.id, recent.id}


def test_unapplied_cash_is_shown_beside_the_buckets(db_session, make_party, overdue, pay):
    party = make_party("Overpayer")
    overdue(party, 10_000, days=5)
    pay(party, 15_000)
    row = aging(db_session, as_of=TODAY).parties[0]
    assert row.total_minor == 0
    assert row.unapplied_minor == 5_000
    assert row.net_minor == -5_000
