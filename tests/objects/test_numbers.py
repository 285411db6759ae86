"""Object numbers: normalisation, natural sort, schemes and allocation under concurrency."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from catalog.core.errors import ValidationError
from catalog.objects.models import CatalogueObject, NumberScheme
from catalog.objects.numbers import (
    allocate_number,
    format_number,
    natural_sort_key,
    normalise_number,
    validate_pattern,
)

# --- normalisation -----------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["2024.1.1", " 2024.1.1 ", "2024.1.1\t", "2024.1.1\n"])
def test_spacing_variants_normalise_alike(variant):
    assert normalise_number(variant) == "2024.1.1"


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212"])
def test_dash_variants_normalise_to_hyphen(dash):
    assert normalise_number(f"2000.71.36.2.A{dash}B") == "2000.71.36.2.a-b"


def test_case_and_inner_spaces():
    assert normalise_number("t  03868") == normalise_number("T 03868") == "t 03868"


number_text = st.text(alphabet=st.sampled_from("0123456789.-/ABab \u2013\u2014T"), max_size=30)


def test_unicode_compatibility_forms():
    assert normalise_number("\uff12\uff10\uff12\uff14.1.1") == "2024.1.1"  # full-width digits
    assert normalise_number("T\u00a003868") == "t 03868"  # no-break space


@given(st.text(max_size=30))
def test_normalise_is_idempotent_for_any_text(text):
    once = normalise_number(text)
    assert normalise_number(once) == once


@given(number_text)
def test_normalise_is_idempotent(text):
    once = normalise_number(text)
    assert normalise_number(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not re.search("[\u2013\u2014]", once)


@given(number_text)
def test_sort_key_ignores_what_normalisation_ignores(text):
    assert natural_sort_key(text) == natural_sort_key(f"  {text.upper()} ")


# --- natural sort ------------------------------------------------------------------------------

def test_natural_sort_examples():
    numbers = ["2024.2.10", "2024.2.9", "2024.10.1", "2024.2", "T03868", "T00051",
               "2000.71.36.2.A-B", "2000.71.36.10", "82.8.7.1/1", "82.8.7.1/10", "82.8.7.1/2"]
    assert sorted(numbers, key=natural_sort_key) == [
        "82.8.7.1/1", "82.8.7.1/2", "82.8.7.1/10",
        "2000.71.36.2.A-B", "2000.71.36.10",
        "2024.2", "2024.2.9", "2024.2.10", "2024.10.1",
        "T00051", "T03868",
    ]


@given(st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=4),
       st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=4))
def test_sort_key_orders_dotted_numbers_numerically(a, b):
    # Dotted numbers sort as tuples of integers, however many digits each part has.
    key_a = natural_sort_key(".".join(map(str, a)))
    key_b = natural_sort_key(".".join(map(str, b)))
    assert (key_a < key_b) == (a < b)
    assert (key_a == key_b) == (a == b)


@given(st.text(alphabet="ABT", max_size=3), st.integers(0, 10**6), st.integers(0, 10**6))
def test_same_prefix_sorts_by_number(prefix, x, y):
    assert (natural_sort_key(f"{prefix}{x}") < natural_sort_key(f"{prefix}{y}")) == (x < y)


# --- patterns ----------------------------------------------------------------------------------

def test_format_number():
    assert format_number("{year}.{lot}.{item}", year=2024, lot=2, n=10) == "2024.2.10"
    assert format_number("L.{year}.{n}", year=2026, lot=0, n=7) == "L.2026.7"
    assert format_number("IN{year}.{n:4}", year=2026, lot=0, n=7) == "IN2026.0007"


@pytest.mark.parametrize("pattern", ["{year}.{lot}", "{year}.{x}.{n}", "{year}.{n"])
def test_bad_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        validate_pattern(pattern)


# --- allocation (database) ---------------------------------------------------------------------

def test_allocation_follows_the_scheme(db_session):
    on = date(2026, 3, 1)
    assert allocate_number(db_session, "entry", on=on) == "IN2026.1"
    assert allocate_number(db_session, "entry", on=on) == "IN2026.2"
    assert allocate_number(db_session, "entry", on=date(2027, 1, 1)) == "IN2027.1"
    assert allocate_number(db_session, "loan_in", on=on) == "L.2026.1"
    # accession numbers: a new lot each time unless a lot is given
    assert allocate_number(db_session, "accession", on=on) == "2026.1.1"
    assert allocate_number(db_session, "accession", on=on) == "2026.2.1"
    assert allocate_number(db_session, "accession", on=on, lot=1) == "2026.1.2"
    assert allocate_number(db_session, "accession", on=on, lot=1) == "2026.1.3"


def test_allocation_skips_numbers_typed_by_hand(db_session, make_user):
    from catalog.objects.services import create_object

    user = make_user("registrar")
    create_object(db_session, actor=user, object_number="L.2026.1", status="loan_in")
    number = allocate_number(db_session, "loan_in", on=date(2026, 5, 1),
                             taken=CatalogueObject.number_key)
    assert number == "L.2026.2"


def test_unknown_scheme_is_a_clear_error(db_session):
    with pytest.raises(ValidationError, match="no active number scheme"):
        allocate_number(db_session, "nope")


@pytest.mark.parametrize(("pattern", "expected"), [
    ("R{year}.{n}", "R{year}.{i}"),
    ("{year}.{lot}.{item}", "{year}.{i}.1"),  # each accession opens a new lot
])
def test_concurrent_allocation_gives_distinct_numbers_without_gaps(app, committed_db, pattern,
                                                                  expected):
    """Several registrars accession at the same moment, each in their own transaction."""
    from catalog.extensions import db
    from catalog.objects.services import create_object
    from catalog.users.services import create_user

    user = create_user(committed_db, email="racer@example.org", password="x" * 12,
                       role_codes=["registrar"])
    committed_db.add(NumberScheme(code="race", name="Race", pattern=pattern))
    committed_db.flush()
    user_id = user.id
    committed_db.commit()  # and hold no transaction (SQLite: no write lock) during the race
    threads_count, per_thread = 4, 5
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def registrar() -> None:
        try:
            with app.app_context():
                from catalog.users.models import User

                actor = db.session.get(User, user_id)
                db.session.commit()  # release SQLite's write lock before the race starts
                barrier.wait(timeout=30)
                for _ in range(per_thread):
                    create_object(db.session, actor=actor, scheme="race", status="entry",
                                  brief_description="received")
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=registrar) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    numbers = committed_db.scalars(sa.select(CatalogueObject.object_number)).all()
    year = datetime.now(UTC).year
    wanted = {expected.format(year=year, i=i) for i in range(1, threads_count * per_thread + 1)}
    assert len(numbers) == threads_count * per_thread
    assert set(numbers) == wanted  # all distinct, none skipped


def test_number_scheme_pages(client, auth, db_session):
    auth.login("viewer")
    page = client.get("/objects/number-schemes").get_data(as_text=True)
    assert "{year}.{lot}.{item}" in page
    assert client.post("/objects/number-schemes", data={"code": "x"}).status_code == 403
    auth.logout()
    auth.login("registrar")
    bad = client.post("/objects/number-schemes", data={
        "code": "photo", "name": "Photographs", "pattern": "PH{year}", "applies_to": "object",
        "is_active": "y"})
    assert bad.status_code == 422
    assert "running number" in bad.get_data(as_text=True)
    good = client.post("/objects/number-schemes", data={
        "code": "photo", "name": "Photographs", "pattern": "PH{year}.{n:3}",
        "applies_to": "object", "is_active": "y"})
    assert good.status_code == 302
    assert allocate_number(db_session, "photo", on=date(2026, 1, 1)) == "PH2026.001"
    scheme = db_session.scalar(sa.select(NumberScheme).where(NumberScheme.code == "photo"))
    edited = client.post(f"/objects/number-schemes/{scheme.id}", data={
        "code": "photo", "name": "Photographs", "pattern": "PH.{year}.{n}",
        "applies_to": "object"})
    assert edited.status_code == 302
    db_session.refresh(scheme)
    assert scheme.pattern == "PH.{year}.{n}"
    assert scheme.is_active is False
