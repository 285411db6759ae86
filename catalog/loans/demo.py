"""Demo loans: a loan out on display and a loan in, with objects, venues and condition reports."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.money import Money
from catalog.demo import demo_loader
from catalog.loans.models import Loan
from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject
from catalog.objects.numbers import natural_sort_key, normalise_number
from catalog.parties.models import Party, PartyRole

DEMO_OUT_TITLE = "Turner and the Sea"
DEMO_IN_TITLE = "Dutch Drawings from a Private Collection"

#: our own objects, used only when the catalogue has no demo objects to lend
_OWN_OBJECTS = [
    ("DEMO.L.1", "Seascape with Fishing Boats", "oil on canvas", "painting"),
    ("DEMO.L.2", "Study of Waves", "watercolour on paper", "drawing"),
    ("DEMO.L.3", "Harbour Lantern", "brass and glass", "lantern"),
]


def _party(session: Session, name: str, role: str) -> Party:
    party = session.scalar(sa.select(Party).where(Party.name == name))
    if party is None:
        party = Party(kind="organisation", name=name, sort_name=name)
        session.add(party)
    if role not in party.role_codes:
        party.roles.append(PartyRole(role=role))
    session.flush()
    return party


def _objects_to_lend(session: Session) -> list[CatalogueObject]:
    existing = list(session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.status == "accessioned")
        .order_by(CatalogueObject.id).limit(3)))
    if len(existing) >= 3:
        return existing
    from catalog.locations.services import move_objects

    store = session.scalar(sa.select(Location).where(Location.code == "DEMO-STORE-L"))
    if store is None:
        store = Location(code="DEMO-STORE-L", name="Loans holding store", kind="room")
        session.add(store)
        session.flush()
    made = []
    for number, title, materials, name in _OWN_OBJECTS:
        key = normalise_number(number)
        obj = session.scalar(sa.select(CatalogueObject).where(CatalogueObject.number_key == key))
        if obj is None:
            obj = CatalogueObject(object_number=number, number_key=key,
                                  sort_key=natural_sort_key(number), brief_description=title,
                                  title=title, materials=materials, object_name=name,
                                  status="accessioned")
            session.add(obj)
            session.flush()
            move_objects(session, objects=[obj], to_location=store, actor=None,
                         reason="demo data", sets_home=True)
        made.append(obj)
    return made


@demo_loader(60, "loans")
def load_loans(session: Session) -> list[str]:
    from catalog.conditions.services import create_report
    from catalog.loans import services

    if session.scalar(sa.select(Loan.id).where(Loan.exhibition_title == DEMO_OUT_TITLE)):
        return ["loans: demo loans already there"]
    today = date.today()  # noqa: DTZ011
    objects = _objects_to_lend(session)
    borrower = _party(session, "Harbour City Art Gallery", "borrower")
    lender = _party(session, "The Van Houten Collection", "lender")

    out = services.create_loan(
        session, direction="out", party=borrower, start_date=today - timedelta(days=40),
        end_date=today + timedelta(days=80), return_due=today + timedelta(days=95),
        actor=None, exhibition_title=DEMO_OUT_TITLE, purpose="Exhibition",
        credit_line="Lent by the Catalog Museum", fee=Money(1_500_00, "GBP"),
        handling_conditions="Gloves; two handlers for framed works.",
        courier_conditions="Courier to accompany installation and deinstallation.",
        environment_conditions="18–22 °C, 45–55 % RH, ≤ 50 lux for works on paper.",
    )  # fmt: skip
    services.add_venue(session, out, actor=None, name="Harbour City Art Gallery",
                       address="1 Quay Street, Harbour City", temp_min=Decimal(18),
                       temp_max=Decimal(23), rh_min=Decimal(40), rh_max=Decimal(60),
                       lux_max=150)
    for obj, value in zip(objects[:2], (Money(250_000_00, "GBP"), Money(40_000_00, "GBP")),
                          strict=False):
        services.add_object(session, out, obj, actor=None, insurance_value=value)
        create_report(session, obj=obj, context="loan_out", loan=out,
                      examiner_name="Connie Conservator", overall="good",
                      examined_on=today - timedelta(days=45),
                      next_check_on=today + timedelta(days=100), actor=None,
                      summary="Stable; minor frame abrasion noted.",
                      packing_recommendation="Travel frame, foam-lined crate.")
    for action in ("approve", "sign_agreement"):
        services.take_step(session, out, action, actor=None)
    services.take_step(session, out, "dispatch", actor=None, on=today - timedelta(days=40))
    services.take_step(session, out, "install", actor=None, on=today - timedelta(days=38))

    loan_in = services.create_loan(
        session, direction="in", party=lender, start_date=today + timedelta(days=20),
        end_date=today + timedelta(days=200), actor=None, exhibition_title=DEMO_IN_TITLE,
        purpose="Exhibition", credit_line="Lent by the Van Houten Collection",
        cover_kind="indemnity", cover_note="Government Indemnity Scheme",
    )  # fmt: skip
    for number, title in (("VH-1923-4", "River Landscape with a Windmill"),
                          ("VH-1931-2", "Study of a Seated Woman")):
        obj = services.create_loan_in_object(session, loan=loan_in, object_number=number,
                                             title=title, actor=None,
                                             materials="black chalk on paper",
                                             object_name="drawing",
                                             brief_description=f"Drawing: {title}")
        services.add_object(session, loan_in, obj, actor=None,
                            insurance_value=Money(85_000_00, "EUR"))
        create_report(session, obj=obj, context="entry", examiner_name="Connie Conservator",
                      overall="fair", examined_on=today, actor=None,
                      summary="Light foxing; hinge repair needed before display.",
                      next_check_on=today + timedelta(days=20), priority="medium")
    services.take_step(session, loan_in, "approve", actor=None)
    if len(objects) > 2:
        create_report(session, obj=objects[2], context="routine", overall="unstable",
                      examiner_name="Connie Conservator", examined_on=today - timedelta(days=5),
                      next_check_on=today + timedelta(days=7), priority="urgent", actor=None,
                      hazards="Loose glass pane", summary="Glass loose in frame.")
    return [f"loans: {out.number} (on display) and {loan_in.number} (approved) created"]
