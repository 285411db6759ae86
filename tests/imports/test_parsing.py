"""Reading Tate-style dates, dimensions and makers: what we read, and what we refuse to guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.imports.parsing import parse_date, parse_dimensions, parse_makers


@pytest.mark.parametrize(("text", "earliest", "latest"), [
    ("1850", 1850, 1850),
    ("c.1850", 1850, 1850),
    ("c. 1850", 1850, 1850),
    ("?1820", 1820, 1820),
    ("1850–5", 1850, 1855),
    ("1850-1855", 1850, 1855),
    ("c.1850–62", 1850, 1862),
    ("1898–02", 1898, 1902),
    ("?c.1850–60", 1850, 1860),
    ("circa 1850–55", 1850, 1855),
    ("published 1822", 1822, 1822),
    ("exhibited 1850", 1850, 1850),
    ("1943, printed 1960", 1943, 1943),
    ("1850 or 1852", 1850, 1852),
    ("1830s", 1830, 1839),
    ("19th century", 1800, 1899),
    ("after c.1800", 1800, None),
    ("before 1900", None, 1900),
])  # fmt: skip
def test_dates_are_read_into_a_year_range(text: str, earliest: int, latest: int) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert (parsed.display, parsed.earliest, parsed.latest, parsed.problem) == (
        text, earliest, latest, None)


@pytest.mark.parametrize("text", ["date not known", "no date", "Undated"])
def test_no_date_is_text_without_years_and_without_complaint(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert (parsed.earliest, parsed.latest, parsed.problem) == (None, None, None)


@pytest.mark.parametrize("text", ["1794–c.1830–5", "1800s", "sometime in spring", "1860–1850"])
def test_unreadable_dates_are_reported_not_guessed(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.earliest is None
    assert parsed.latest is None
    assert parsed.problem
    assert parsed.display == text


def test_dimensions_become_structured_values_per_part() -> None:
    parsed = parse_dimensions("support: 600 x 400 mm\nframe: 700 x 512.5 x 60 mm")
    assert parsed is not None
    assert parsed.problem is None
    support, frame = parsed.parts
    assert (support.part, support.height, support.width, support.depth) == (
        "support", Decimal(600), Decimal(400), None)
    assert frame.measurements() == [("height", Decimal(700), "mm"),
                                    ("width", Decimal("512.5"), "mm"),
                                    ("depth", Decimal(60), "mm")]
    weighed = parse_dimensions("object: 10 x 20 x 30 mm, 5 kg")
    assert weighed is not None
    assert weighed.parts[0].measurements()[-1] == ("weight", Decimal(5),
                                                                           "kg")


@pytest.mark.parametrize("text", ["Overall display dimensions variable", "duration: 9min",
                                  "support: 600 x 400 mm\ndisplayed: variable"])
def test_dimensions_we_cannot_read_stay_text_and_are_reported(text: str) -> None:
    parsed = parse_dimensions(text)
    assert parsed is not None
    assert parsed.parts == []
    assert parsed.problem
    assert parsed.display == text


def test_makers_from_tate_columns_and_from_our_export() -> None:
    assert parse_makers("Robert Blake", "artist") == [("Robert Blake", "artist")]
    assert parse_makers("attributed to Joseph Mallord William Turner, attributed to Sawrey "
                        "Gilpin", "attributed to; attributed to") == [
        ("Joseph Mallord William Turner", "attributed to"), ("Sawrey Gilpin", "attributed to")]
    # A comma inside one name is not a list of makers.
    assert parse_makers("Blake, Robert", "artist") == [("Blake, Robert", "artist")]
    assert parse_makers("A. Maker [artist] | B. Printer [printer]") == [
        ("A. Maker", "artist"), ("B. Printer", "printer")]
