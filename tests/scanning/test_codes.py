"""Scan codes: typed, short, checked, stable."""

from __future__ import annotations

import pytest

from catalog.scanning import codes


@pytest.mark.parametrize("record_id", [1, 2, 31, 32, 1234, 999_999, 2**31 + 5])
def test_codes_round_trip_for_objects_and_locations(record_id):
    for kind in ("object", "location"):
        code = codes.make_code(kind, record_id)
        assert code[0] == ("O" if kind == "object" else "L")
        parsed = codes.parse_code(code)
        assert parsed == codes.ScanCode(kind, record_id)
        assert codes.parse_code(code.lower()) == parsed  # case does not matter


def test_codes_are_short():
    assert len(codes.object_code(1_000_000)) <= 6


def test_every_single_typing_mistake_and_neighbour_swap_is_caught():
    code = codes.object_code(987_654)
    for position in range(1, len(code)):
        for char in codes.ALPHABET:
            if char != code[position]:
                assert codes.parse_code(code[:position] + char + code[position + 1:]) is None
    for position in range(1, len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
        if swapped != code:
            assert codes.parse_code(swapped) is None
    # an object's code is never a location's
    assert codes.parse_code("L" + code[1:]) is None


def test_crockford_aliases_are_read_as_digits():
    code = codes.location_code(33)  # "L11" + check
    assert codes.parse_code(code.replace("1", "I")) == codes.ScanCode("location", 33)


def test_payload_and_reading_it_back():
    url = codes.payload("https://museum.example/", "O16JV")
    assert url == "https://museum.example/s/O16JV"
    assert codes.code_from_scan(url) == "O16JV"
    assert codes.is_payload(url)
    assert codes.code_from_scan("  ABC-123 ") == "ABC-123"
    assert not codes.is_payload("ABC-123")


@pytest.mark.parametrize("text", ["", "X12", "O", "O1", "hello world", "O16JW"])
def test_rubbish_is_not_a_code(text):
    assert codes.parse_code(text) is None
