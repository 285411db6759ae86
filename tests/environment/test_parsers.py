"""Every real logger export in shared/data/environment parses, plus the awkward variants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.environment.parsers import LoggerFileError, parse_logger_file
from tests.locations.factories import shared_data

ENV = shared_data() / "environment"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# file -> (format, count, first (time, °C, %RH, lux), last (time, °C, %RH, lux)); loggers keep
# UK local time, so summer times are an hour ahead of UTC.
TANDD_1 = ("tandd", 10, (utc(2021, 8, 21, 7, 6), 22.7, 53.0, 21.53),
           (utc(2021, 8, 21, 9, 21), 23.0, 53.0, 20.15))
TINYTAG_1 = ("tinytag", 10, (utc(2021, 7, 26, 13, 26), 20.873, 53.4, None),
             (utc(2021, 7, 26, 17, 56), 20.887, 53.2, None))
EXPECTED = {
    "hanwell/Hanwell_1.csv": ("hanwell", 10, (utc(2025, 11, 21, 0, 0), 18.5, 40.5, None),
                              (utc(2025, 11, 21, 4, 30), 18.3, 40.6, None)),
    "meaco/Meaco_1.csv": ("meaco", 10, (utc(2025, 11, 6, 15, 59), 23.06, 54.91, None),
                          (utc(2025, 11, 6, 18, 9), 21.43, 56.20, None)),
    "meaco/Meaco_2.csv": ("meaco", 10, (utc(2025, 10, 15, 14, 8), None, None, 24.0),
                          (utc(2025, 10, 15, 17, 7), None, None, 23.0)),
    "meaco/Meaco_3.csv": ("meaco", 10, (utc(2025, 12, 31, 0, 4), 17.25, 45.59, None),
                          (utc(2025, 12, 31, 1, 33), 17.25, 45.59, None)),
    "meaco/Meaco_4.csv": ("meaco", 10, (utc(2026, 3, 4, 7, 15), None, None, 6.0),
                          (utc(2026, 3, 4, 10, 18), None, None, 122.0)),
    "meaco/TandD_1.csv": TANDD_1,
    "tandd/TandD_1.csv": TANDD_1,
    "tandd/Case_1_A0000000.csv": TANDD_1,
    "tandd/TandD_2.csv": ("tandd", 10, (utc(2021, 11, 12, 15, 51), 20.5, 51.0, 6.27),
                          (utc(2021, 11, 12, 18, 6), 20.5, 52.0, 0.06)),
    "tandd/TinyTag_1.csv": TINYTAG_1,
    "tinytag/TinyTag_1.csv": TINYTAG_1,
    "tinytag/TinyTag_2.csv": ("tinytag", 10, (utc(2021, 9, 1, 7, 58), 20.2, 47.6, None),
                              (utc(2021, 9, 1, 12, 28), 20.2, 47.2, None)),
}


def test_every_shared_file_is_covered():
    on_disk = {str(p.relative_to(ENV)) for p in ENV.rglob("*.csv")}
    assert on_disk == set(EXPECTED)


def _values(reading):
    def r(value):
        return None if value is None else round(value, 3)

    return (reading.taken_at, r(reading.temperature), r(reading.humidity), r(reading.lux))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_logger_file(name):
    file_format, count, first, last = EXPECTED[name]
    parsed = parse_logger_file((ENV / name).read_bytes(), filename=name,
                               timezone="Europe/London")
    assert parsed.file_format == file_format
    assert len(parsed.readings) == count
    assert _values(parsed.readings[0]) == (first)
    assert _values(parsed.readings[-1]) == (last)


def test_utf16_with_bom_tab_separated_tinytag():
    text = (ENV / "tinytag/TinyTag_2.csv").read_bytes().decode("cp1252").replace(",", "\t")
    parsed = parse_logger_file(text.encode("utf-16"), filename="tt.txt", timezone="Europe/London")
    assert parsed.encoding == "utf-16"
    assert _values(parsed.readings[0]) == ((utc(2021, 9, 1, 7, 58), 20.2, 47.6,
                                                         None))


def test_utf16_without_bom_and_utf8_bom():
    text = (ENV / "meaco/Meaco_1.csv").read_text(encoding="utf-8")
    parsed = parse_logger_file(text.encode("utf-16-le"), filename="m.csv", timezone="UTC")
    assert parsed.encoding == "utf-16-le"
    assert len(parsed.readings) == 10
    parsed = parse_logger_file(b"\xef\xbb\xbf" + text.encode("utf-8"), filename="m.csv",
                               timezone="UTC")
    assert parsed.encoding == "utf-8-sig"
    assert parsed.readings[0].temperature == (23.06)


def test_fahrenheit_and_twelve_hour_clock():
    data = ("Time,Temperature (°F),Humidity (%RH)\r\n"
            "03/15/2024 11:30:00 PM,68.0,50.0\r\n"
            "03/16/2024 12:00:00 AM,69.8,51.5\r\n"
            "03/16/2024 12:30:00 PM,71.6,52.0\r\n").encode("cp1252")
    parsed = parse_logger_file(data, filename="us.csv", timezone="America/New_York")
    assert parsed.fahrenheit
    assert [_values(r) for r in parsed.readings] == ([
        (utc(2024, 3, 16, 3, 30), 20.0, 50.0, None),
        (utc(2024, 3, 16, 4, 0), 21.0, 51.5, None),
        (utc(2024, 3, 16, 16, 30), 22.0, 52.0, None),
    ])


def test_explicit_offsets_and_duplicates():
    data = (b"Timestamp,Temperature,Humidity\n"
            b"2024-01-01T10:00:00+01:00,20.0,50\n"
            b"2024-01-01T09:00:00Z,20.0,50\n"
            b"2024-01-01T10:15:00+01:00,20.5,51\n")
    parsed = parse_logger_file(data, filename="x.csv", timezone="Europe/London")
    assert [r.taken_at for r in parsed.readings] == [utc(2024, 1, 1, 9), utc(2024, 1, 1, 9, 15)]
    assert parsed.duplicates == 1


def test_repeated_hour_when_clocks_go_back():
    rows = ["01:00", "01:30", "01:00", "01:30", "02:00"]
    data = ("Date,Temperature,Humidity\n" + "".join(
        f"27/10/2024 {t},20,50\n" for t in rows)).encode()
    parsed = parse_logger_file(data, filename="dst.csv", timezone="Europe/London")
    assert [r.taken_at for r in parsed.readings] == [
        utc(2024, 10, 27, 0, 0), utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 0),
        utc(2024, 10, 27, 1, 30), utc(2024, 10, 27, 2, 0)]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"just some words\nno dates here\n", "line 1: no row starts with a date and time"),
    (b"Time,Temperature,Humidity\n2024-01-01 10:00,20.1,50\n2024-01-01 10:15,abc,50\n",
     "x.csv line 3: the temperature 'abc' is not a number"),
    (b"Time,Temperature,Humidity\n2024-01-01 10:00,20.1,50\n2024-01-01 10:15,20.1,150\n",
     "x.csv line 3: the relative humidity 150 % is outside 0"),
    (b"Time,Temperature,Humidity\n2024-01-01 10:00,20.1,50\nyesterday noon,20.1,50\n",
     "x.csv line 3: cannot read the date/time 'yesterday noon'"),
    (b"Time,Temperature,Humidity\n2024-01-01 10:00,20.1,50\n31/02/2024 10:00,20,50\n",
     "x.csv line 3: cannot read the date/time"),
])
def test_unreadable_files_name_the_line(content, message):
    with pytest.raises(LoggerFileError, match=message):
        parse_logger_file(content, filename="x.csv", timezone="UTC")


def test_semicolons_decimal_commas_and_units_in_cells():
    data = ("Nr;Zeit;Temperatur;Feuchte\n"
            "1;01.02.2024 10:00:00;20,5 °C;48,5 %RH\n"
            "2;01.02.2024 10:30:00;21,0 °C;49,0 %RH\n").encode("cp1252")
    parsed = parse_logger_file(data, filename="de.csv", timezone="Europe/Berlin")
    assert [_values(r) for r in parsed.readings] == [
        (utc(2024, 2, 1, 9, 0), 20.5, 48.5, None), (utc(2024, 2, 1, 9, 30), 21.0, 49.0, None)]


def test_fahrenheit_in_the_cells_of_a_tinytag_export():
    data = (b",Time,1,2\r\nProperty,,Temperature,Humidity\r\n"
            b"1,2021-07-26 14:26:00,69.8 \xb0F,53.4 %RH\r\n")
    parsed = parse_logger_file(data, filename="tt.csv", timezone="UTC")
    assert _values(parsed.readings[0]) == (utc(2021, 7, 26, 14, 26), 21.0, 53.4, None)
