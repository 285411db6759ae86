"""Loans: numbers, dates, conflicts, the workflow and the movements that follow it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.core.errors import DomainError, InvalidTransition, ValidationError
from catalog.core.money import Money
from catalog.loans import services
from catalog.loans.models import LoanEvent
from catalog.locations.models import Movement
from tests.loans.factories import (
    advance,
    make_loan,
    make_location,
    make_object,
    make_party,
    stored_object,
)


@pytest.fixture
def manager(make_user):
    return make_user("collections_manager")


def test_numbers_follow_their_own_scheme_per_direction_and_year(db_session, manager):
    first = make_loan(db_session, manager)
    second = make_loan(db_session, manager)
    loan_in = make_loan(db_session, manager, direction="in")
    next_year = make_loan(db_session, manager, start=date(2028, 1, 10), end=date(2028, 2, 1))
    assert first.number == "LO.2027.1"
    assert second.number == "LO.2027.2"
    assert loan_in.number == "L.2027.1"  # the starter loan_in scheme
    assert next_year.number == "LO.2028.1"


def test_impossible_dates_are_refused_with_what_to_do(db_session, manager):
    with pytest.raises(ValidationError, match="before the start date") as exc:
        make_loan(db_session, manager, start=date(2027, 5, 1), end=date(2027, 4, 1))
    assert exc.value.field == "end_date"
    with pytest.raises(ValidationError, match="enter a later return date"):
        make_loan(db_session, manager, end=date(2027, 6, 30), return_due=date(2027, 6, 1))


def test_workflow_in_order_records_who_and_when(db_session, manager):
    home = make_location(db_session, "STORE-A")
    obj = stored_object(db_session, home=home)
    loan = make_loan(db_session, manager)
    services.add_object(db_session, loan, obj, actor=manager)
    advance(db_session, loan, "approve", "sign_agreement", actor=manager)
    services.take_step(db_session, loan, "dispatch", actor=manager, on=date(2027, 2, 25))
    assert loan.status == "dispatched"
    assert obj.current_location_id is None  # off site: an object exit
    assert obj.home_location_id == home.id
    advance(db_session, loan, "install", actor=manager)
    services.take_step(db_session, loan, "return", actor=manager, on=date(2027, 7, 2))
    assert loan.status == "returned"
    assert obj.current_location_id == home.id  # back home: an entry and a movement
    advance(db_session, loan, "close", actor=manager)
    actions = [(e.action, e.to_status, e.actor_id) for e in loan.events]
    assert actions == [
        ("create", "requested", manager.id), ("add_object", None, manager.id),
        ("approve", "approved", manager.id), ("sign_agreement", "agreement_signed", manager.id),
        ("dispatch", "dispatched", manager.id), ("install", "on_display", manager.id),
        ("return", "returned", manager.id), ("close", "closed", manager.id),
    ]
    reasons = db_session.scalars(sa.select(Movement.reason).where(Movement.object_id == obj.id)
                                 .order_by(Movement.id)).all()
    assert reasons[-2].startswith("Object exit: loan out")
    assert reasons[-1].startswith("Object entry: return from loan out")


def test_a_step_out_of_order_says_what_to_do_instead(db_session, manager):
    loan = make_loan(db_session, manager)
    with pytest.raises(InvalidTransition, match=r"approve .* first"):
        services.take_step(db_session, loan, "dispatch", actor=manager)
    advance(db_session, loan, "approve", actor=manager)
    with pytest.raises(InvalidTransition, match="record the signed agreement first"):
        loan.transition("close")
    assert loan.status == "approved"


def test_dispatch_needs_objects_and_refusal_needs_a_reason(db_session, manager):
    loan = make_loan(db_session, manager)
    advance(db_session, loan, "approve", "sign_agreement", actor=manager)
    with pytest.raises(ValidationError, match="add the objects before dispatching"):
        services.take_step(db_session, loan, "dispatch", actor=manager)
    other = make_loan(db_session, manager)
    with pytest.raises(ValidationError, match="Say why"):
        services.take_step(db_session, other, "refuse", actor=manager)
    services.take_step(db_session, other, "refuse", actor=manager, note="Too fragile to travel")
    assert other.status == "refused"
    assert other.refusal_reason == "Too fragile to travel"


def test_return_before_dispatch_is_refused(db_session, manager):
    obj = stored_object(db_session)
    loan = make_loan(db_session, manager)
    lo = services.add_object(db_session, loan, obj, actor=manager)
    advance(db_session, loan, "approve", "sign_agreement", actor=manager)
    services.take_step(db_session, loan, "dispatch", actor=manager, on=date(2027, 3, 1))
    with pytest.raises(ValidationError, match="before the dispatch") as exc:
        services.return_objects(db_session, loan, [lo], on=date(2027, 2, 1), actor=manager)
    assert "enter the date the objects actually came back" in exc.value.message
    assert lo.returned_on is None


def test_partial_returns_then_the_last_object_returns_the_loan(db_session, manager):
    a, b = stored_object(db_session), stored_object(db_session)
    loan = make_loan(db_session, manager)
    lo_a = services.add_object(db_session, loan, a, actor=manager)
    lo_b = services.add_object(db_session, loan, b, actor=manager)
    advance(db_session, loan, "approve", "sign_agreement", "dispatch", actor=manager,
            on=date(2027, 3, 1))
    services.return_objects(db_session, loan, [lo_a], on=date(2027, 5, 1), actor=manager)
    assert loan.status == "dispatched"
    assert a.current_location_id == a.home_location_id
    assert b.current_location_id is None
    with pytest.raises(InvalidTransition, match="record their return"):
        services.take_step(db_session, loan, "close", actor=manager)
    with pytest.raises(ValidationError, match="already returned"):
        services.return_objects(db_session, loan, [lo_a], on=date(2027, 5, 2), actor=manager)
    services.return_objects(db_session, loan, [lo_b], on=date(2027, 7, 1), actor=manager)
    assert loan.status == "returned"
    assert [e.action for e in loan.events][-2:] == ["return_object", "return"]


def test_extension_is_recorded_and_checked_for_conflicts(db_session, manager):
    obj = stored_object(db_session)
    loan = make_loan(db_session, manager, end=date(2027, 6, 30))
    services.add_object(db_session, loan, obj, actor=manager)
    advance(db_session, loan, "approve", actor=manager)
    later = make_loan(db_session, manager, start=date(2027, 8, 1), end=date(2027, 9, 1))
    services.add_object(db_session, later, obj, actor=manager)
    services.extend_loan(db_session, loan, end_date=date(2027, 7, 20), actor=manager,
                         note="Exhibition extended")
    assert loan.end_date == date(2027, 7, 20)
    assert loan.original_end_date == date(2027, 6, 30)
    assert "30 Jun 2027" in loan.events[-1].note
    with pytest.raises(DomainError, match="already committed to loan"):
        services.extend_loan(db_session, loan, end_date=date(2027, 8, 15), actor=manager)
    assert loan.end_date == date(2027, 7, 20)


def test_an_object_on_another_loan_is_refused_unless_overridden(db_session, manager):
    obj = stored_object(db_session)
    first = make_loan(db_session, manager, start=date(2027, 3, 1), end=date(2027, 6, 30))
    services.add_object(db_session, first, obj, actor=manager)
    second = make_loan(db_session, manager, start=date(2027, 6, 1), end=date(2027, 8, 1))
    with pytest.raises(DomainError, match=f"already committed to loan {first.number}") as exc:
        services.add_object(db_session, second, obj, actor=manager)
    assert "give a reason" in exc.value.message
    lo = services.add_object(db_session, second, obj, actor=manager,
                             override_reason="Venue 2 only; first loan ends early")
    assert lo.override_reason == "Venue 2 only; first loan ends early"
    assert first.number in lo.override_conflicts
    assert services.loan_conflicts(db_session, second)[lo.id][0].kind == "other_loan"
    # A loan that does not overlap has no conflict.
    third = make_loan(db_session, manager, start=date(2027, 9, 1), end=date(2027, 10, 1))
    services.add_object(db_session, third, obj, actor=manager)


def test_a_deaccessioned_object_is_refused_even_with_a_reason(db_session, manager):
    obj = make_object(db_session, status="deaccessioned")
    loan = make_loan(db_session, manager)
    with pytest.raises(DomainError, match="deaccessioned and cannot be lent"):
        services.add_object(db_session, loan, obj, actor=manager, override_reason="please")
    assert loan.loan_objects == []


def test_conservation_and_condition_problems_are_conflicts(db_session, manager, make_user):
    from catalog.conditions.services import advance_treatment, create_report, propose_treatment

    conservator = make_user("conservator")
    in_treatment, fragile = stored_object(db_session), stored_object(db_session)
    propose_treatment(db_session, obj=in_treatment, proposal="Consolidate flaking paint",
                      actor=conservator)
    create_report(db_session, obj=fragile, context="routine", examiner_name="C. Onservator",
                  examined_on=date(2026, 1, 5), overall="unstable", actor=conservator)
    loan = make_loan(db_session, manager)
    with pytest.raises(DomainError, match="is in conservation"):
        services.add_object(db_session, loan, in_treatment, actor=manager)
    with pytest.raises(DomainError, match="unstable condition"):
        services.add_object(db_session, loan, fragile, actor=manager)
    # Once the treatment is done and a new report says good, the objects can go.
    treatment = propose_treatment(db_session, obj=fragile, proposal="x", actor=conservator)
    advance_treatment(db_session, treatment, "cancel", actor=conservator)
    create_report(db_session, obj=fragile, context="routine", examiner_name="C. Onservator",
                  examined_on=date(2026, 2, 5), overall="good", actor=conservator)
    services.add_object(db_session, loan, fragile, actor=manager)


def test_a_loan_in_due_back_before_a_loan_out_ends_is_a_conflict(db_session, manager):
    lender = make_party(db_session, "Private collection", role="lender")
    loan_in = make_loan(db_session, manager, direction="in", party=lender,
                        start=date(2027, 1, 1), end=date(2027, 5, 31))
    obj = services.create_loan_in_object(db_session, loan=loan_in, object_number="LENDER-1",
                                         title="Borrowed drawing", actor=manager)
    services.add_object(db_session, loan_in, obj, actor=manager)
    loan_out = make_loan(db_session, manager, start=date(2027, 3, 1), end=date(2027, 6, 30))
    with pytest.raises(DomainError, match="due back to Private collection on 31 May 2027"):
        services.add_object(db_session, loan_out, obj, actor=manager)


def test_loan_in_objects_enter_and_leave(db_session, manager):
    gallery = make_location(db_session, "GALLERY-3")
    loan = make_loan(db_session, manager, direction="in")
    obj = services.create_loan_in_object(db_session, loan=loan, object_number="L-77",
                                         title="Lent vase", actor=manager)
    assert obj.status == "loan_in"
    lo = services.add_object(db_session, loan, obj, actor=manager)
    advance(db_session, loan, "approve", "sign_agreement", actor=manager)
    services.take_step(db_session, loan, "dispatch", actor=manager, location=gallery,
                       on=date(2027, 3, 1))
    assert obj.current_location_id == gallery.id
    assert loan.status_label == "Received"
    services.return_objects(db_session, loan, [lo], on=date(2027, 7, 1), actor=manager)
    assert obj.current_location_id is None
    assert loan.status == "returned"


def test_insured_totals_per_currency(db_session, make_user):
    registrar = make_user("admin")
    loan = make_loan(db_session, registrar)
    for value in (Money(100_000_00, "GBP"), Money(2_500_00, "GBP"), Money(9_000_00, "EUR")):
        services.add_object(db_session, loan, stored_object(db_session), actor=registrar,
                            insurance_value=value)
    assert services.insured_totals(loan) == [Money(9_000_00, "EUR"), Money(102_500_00, "GBP")]


def test_setting_values_needs_valuations_edit(db_session, manager, make_user):
    from catalog.core.errors import PermissionDenied

    loan = make_loan(db_session, manager)
    with pytest.raises(PermissionDenied):
        services.add_object(db_session, loan, stored_object(db_session), actor=manager,
                            insurance_value=Money(1_00, "GBP"))
    conservator = make_user("conservator")
    with pytest.raises(PermissionDenied):
        make_loan(db_session, conservator)


def test_loan_events_are_append_only(db_session, manager):
    loan = make_loan(db_session, manager)
    with pytest.raises(sa.exc.DBAPIError), db_session.begin_nested():
        db_session.execute(sa.update(LoanEvent).where(LoanEvent.loan_id == loan.id)
                           .values(note="rewritten"))


def test_object_needs_come_from_the_home_target_or_the_material(db_session):
    from decimal import Decimal

    from catalog.loans.models import LoanVenue
    from catalog.loans.suitability import object_needs, venue_mismatches

    building = make_location(db_session, "BLDG", target_preset="custom", target_temp_min=1800,
                             target_temp_max=2200, target_rh_min=450, target_rh_max=550)
    room = make_location(db_session, "BLDG-R1", parent=building)
    painting = stored_object(db_session, home=room, materials="oil on canvas")
    needs = object_needs(db_session, painting)
    assert (needs.temp_min, needs.temp_max, needs.rh_min, needs.rh_max) == (18, 22, 45, 55)
    assert needs.source == "Custom limits of BLDG"
    assert needs.lux_max == 200  # light from the material
    lantern = stored_object(db_session, materials="brass")
    assert object_needs(db_session, lantern).rh_max == 40
    venue = LoanVenue(name="Hall", temp_min=Decimal(18), temp_max=Decimal(21),
                      rh_min=Decimal(48), rh_max=Decimal(52), lux_max=150)
    assert venue_mismatches(venue, needs) == []
    assert venue_mismatches(venue, object_needs(db_session, lantern)) == [
        "RH 48–52 % is outside 0–40 %."]
    assert "has not stated its light level" in venue_mismatches(LoanVenue(name="x"), needs)[-1]
    ashrae = make_location(db_session, "ASHRAE-B", target_preset="ashrae_b")
    sculpture = stored_object(db_session, home=ashrae, materials="marble")
    open_below = object_needs(db_session, sculpture)
    assert (open_below.temp_min, open_below.temp_max, open_below.rh_min) == (-50, 30, 30)
    assert open_below.source == "ASHRAE class B of ASHRAE-B"


def test_material_words_match_whole_words(db_session):
    from catalog.loans.suitability import object_material_needs

    assert object_material_needs(make_object(db_session, object_name="painting")).rh_max == 60
    assert object_material_needs(make_object(db_session, materials="Woodcut prints")).lux_max \
        == 50


def test_insurance_values_from_the_latest_valuations(db_session, make_user):
    from catalog.valuations.services import record_valuation

    registrar = make_user("admin")
    valued, unvalued, preset = (stored_object(db_session) for _ in range(3))
    record_valuation(db_session, obj=valued, valued_on=date(2025, 1, 1),
                     amount=Money(10_000_00, "GBP"), actor=registrar)
    record_valuation(db_session, obj=valued, valued_on=date(2026, 1, 1),
                     amount=Money(12_000_00, "GBP"), actor=registrar)
    record_valuation(db_session, obj=preset, valued_on=date(2026, 1, 1),
                     amount=Money(1_00, "GBP"), actor=registrar)
    loan = make_loan(db_session, registrar)
    lo_valued = services.add_object(db_session, loan, valued, actor=registrar)
    lo_unvalued = services.add_object(db_session, loan, unvalued, actor=registrar)
    lo_preset = services.add_object(db_session, loan, preset, actor=registrar,
                                    insurance_value=Money(5_000_00, "GBP"))
    assert services.apply_latest_valuations(db_session, loan, actor=registrar) == 1
    assert lo_valued.insurance_value == Money(12_000_00, "GBP")
    assert lo_unvalued.insurance_value is None
    assert lo_preset.insurance_value == Money(5_000_00, "GBP")  # an agreed value is kept
