"""Valuations and insurance: restricted to valuations.view / valuations.edit."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.core.errors import PermissionDenied, ValidationError
from catalog.core.money import Money
from catalog.loans import services as loan_services
from catalog.valuations import services
from catalog.valuations.models import InsurancePolicy, Valuation
from tests.loans.factories import make_loan, make_party, stored_object


def test_record_and_latest_valuation(db_session, make_user):
    registrar = make_user("registrar")
    obj = stored_object(db_session)
    valuer = make_party(db_session, "Fine Art Valuers Ltd", role="valuer")
    services.record_valuation(db_session, obj=obj, valued_on=date(2024, 1, 1),
                              amount=Money(80_000_00, "GBP"), valuer=valuer, actor=registrar)
    latest = services.record_valuation(db_session, obj=obj, valued_on=date(2026, 1, 1),
                                       amount=Money(95_000_00, "GBP"), actor=registrar)
    assert services.latest_valuation(db_session, obj) is latest
    assert [v.amount for v in services.valuations_for(db_session, obj, actor=registrar)] == [
        Money(95_000_00, "GBP"), Money(80_000_00, "GBP")]


def test_valuations_are_restricted(db_session, make_user):
    obj = stored_object(db_session)
    with pytest.raises(PermissionDenied):
        services.record_valuation(db_session, obj=obj, valued_on=date(2026, 1, 1),
                                  amount=Money(1_00, "GBP"), actor=make_user("conservator"))
    with pytest.raises(PermissionDenied):
        services.valuations_for(db_session, obj, actor=make_user("technician"))
    with pytest.raises(PermissionDenied):
        services.record_valuation(db_session, obj=obj, valued_on=date(2026, 1, 1),
                                  amount=Money(1_00, "GBP"),
                                  actor=make_user("collections_manager"))  # view, not edit


def test_policy_validation_and_cover_warnings(db_session, make_user):
    admin = make_user("admin")
    with pytest.raises(ValidationError, match="cover ends before it starts"):
        services.create_policy(db_session, policy_number="P-1", cover_start=date(2027, 1, 1),
                               cover_end=date(2026, 1, 1), limit=Money(1_00, "GBP"),
                               actor=admin)
    policy = services.create_policy(db_session, policy_number="FA-2027-01",
                                    cover_start=date(2027, 1, 1), cover_end=date(2027, 5, 31),
                                    limit=Money(100_000_00, "GBP"), actor=admin,
                                    insurer=make_party(db_session, "Hiscox", role="insurer"))
    with pytest.raises(ValidationError, match="recorded already"):
        services.create_policy(db_session, policy_number="FA-2027-01",
                               cover_start=date(2027, 1, 1), cover_end=date(2027, 5, 31),
                               limit=Money(1_00, "GBP"), actor=admin)
    loan = make_loan(db_session, admin, insurance_policy_id=policy.id)
    for _ in range(2):
        loan_services.add_object(db_session, loan, stored_object(db_session), actor=admin,
                                 insurance_value=Money(60_000_00, "GBP"))
    db_session.refresh(loan)
    warnings = services.cover_warnings(loan)
    assert any("not the whole loan" in w for w in warnings)
    assert any("GBP 120,000.00 exceeds the policy limit GBP 100,000.00" in w for w in warnings)


def test_pages_hidden_from_roles_without_valuations_view(auth, client, db_session):
    auth.login("conservator")
    assert client.get("/valuations/").status_code == 403
    page = client.get("/").get_data(as_text=True)
    assert "/valuations/" not in page  # no nav entry
    auth.logout()
    auth.login("collections_manager")
    assert client.get("/valuations/").status_code == 200
    assert client.get("/valuations/new").status_code == 403


def test_registrar_records_a_valuation_and_a_policy(auth, client, db_session):
    auth.login("registrar")
    obj = stored_object(db_session)
    db_session.commit()
    response = client.post("/valuations/new", data={
        "object_number": obj.object_number, "valued_on": "2026-05-01",
        "valuer_name": "Bonhams", "amount": "250000.00", "currency": "GBP",
        "purpose": "Insurance"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    valuation = db_session.query(Valuation).one()
    assert valuation.amount == Money(250_000_00, "GBP")
    assert valuation.valuer.name == "Bonhams"
    response = client.post("/valuations/policies/new", data={
        "kind": "indemnity", "policy_number": "GIS-2027-4", "cover_start": "2027-01-01",
        "cover_end": "2027-12-31", "limit": "5000000", "currency": "GBP"})
    assert response.status_code == 302
    assert db_session.query(InsurancePolicy).one().kind == "indemnity"
    page = client.get("/valuations/").get_data(as_text=True)
    assert "GBP 250,000.00" in page
    assert "GIS-2027-4" in page
    response = client.post("/valuations/new", data={
        "object_number": obj.object_number, "valued_on": "2026-05-01", "amount": "1.005",
        "currency": "GBP"})
    assert response.status_code == 422
