"""Read data-logger exports: Hanwell, Tinytag, Meaco, T&D and similar CSV files.

Real exports differ in everything: encodings (UTF-8, latin-1 / cp1252, UTF-16 with or without a
byte-order mark), preambles of metadata, quoting, delimiters, °C or °F, 24- or 12-hour clocks,
day-first or month-first dates, local times without an offset. The parser finds the first row that
starts with a date/time, reads the column meanings from the rows above it (the lowest row that
names a column wins, so a units row such as T&D's "lx, mW/cm2, °C, %" beats the channel names),
and turns each data row into a :class:`ParsedReading`. Anything it cannot read is a
:class:`LoggerFileError` naming the line; nothing is returned half-read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from catalog.core.errors import ValidationError


class LoggerFileError(ValidationError):
    """An unreadable logger file: says which line and why."""

    def __init__(self, filename: str, line: int | None, why: str) -> None:
        where = f"{filename} line {line}" if line else filename
        super().__init__(f"{where}: {why}", field="file")
        self.line = line


@dataclass
class ParsedReading:
    taken_at: datetime  # aware UTC
    temperature: float | None  # °C
    humidity: float | None  # % RH
    lux: float | None
    line: int


@dataclass
class ParsedFile:
    file_format: str
    encoding: str
    readings: list[ParsedReading] = field(default_factory=list)
    duplicates: int = 0
    fahrenheit: bool = False


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: byte-order marks first, then UTF-16 by its zero bytes,
    then UTF-8, then cp1252 (Windows loggers write "°" as the single byte 0xB0)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    head = data[:400]
    if head and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM: ASCII text has a zero in every other byte
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


# Preference order matters for ambiguous dates: day-first (European loggers) before month-first.
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %I:%M %p", "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %I:%M %p",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
    "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p",
    "%H:%M:%S %d/%b/%Y", "%H:%M %d/%b/%Y", "%H:%M:%S %d/%m/%Y", "%H:%M %d/%m/%Y",
    "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M",
    "%d %b %Y %I:%M:%S %p", "%d-%b-%y %I:%M:%S %p",
]

_OFFSET = re.compile(r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def _normalise_time_text(text: str) -> tuple[str, str | None]:
    """Strip quotes and an explicit offset; unify "a.m." / "pm" spellings."""
    text = " ".join(text.strip().strip('"').split())
    text = re.sub(r"\b([ap])\.?m\.?$", lambda m: m.group(1).upper() + "M", text,
                  flags=re.IGNORECASE)
    offset = None
    if m := _OFFSET.search(text):
        offset = m.group(1)
        text = text[: m.start()].strip()
    return text, offset


def _try_parse(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)  # noqa: DTZ007 (zone applied by the caller)
    except ValueError:
        return None


def _looks_like_time(cell: str) -> bool:
    text, _ = _normalise_time_text(cell)
    if not re.search(r"\d{1,2}:\d{2}", text):
        return False
    return any(_try_parse(text, fmt) for fmt in DATETIME_FORMATS)


def _offset_zone(offset: str) -> ZoneInfo | UTC.__class__:
    from datetime import timedelta, timezone

    if offset.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _classify(cell: str) -> str | None:
    c = cell.strip().strip('"').strip().lower()
    if not c or "cumulative" in c or c in ("lxh", "w/cm2h"):
        return None
    if c in ("lx", "lux") or re.search(r"\blux\b|illuminance", c):
        return "lux"
    # English, German (Feuchte, rF), French (humidité, HR), Italian/Spanish (umidità, humedad)
    if any(w in c for w in ("humid", "feucht", "umid", "humed")) or c in (
            "%", "%rh", "rh", "rh%", "rh (%)", "% rh", "rf", "%rf", "hr", "%hr") \
            or c.startswith(("rh ", "rf ", "hr ")):
        return "humidity"
    if "temp" in c or re.fullmatch(r"(°|º|\ufffd|deg\s?)?\s?[cf]", c) or c in ("°c", "°f"):
        return "temperature"
    return None


def _is_fahrenheit(cells: list[str]) -> bool:
    joined = " ".join(cells).lower()
    return bool(re.search(r"°f|º f|°\s?f|\(f\)|degf|deg f|fahrenheit|\ufffdf\b", joined))


def _number(text: str, *, decimal_comma: bool) -> float | None:
    t = text.strip().strip('"').strip()
    if not t or t in ("-", "--", "N/A", "n/a", "NaN"):
        return None
    t = re.sub(r"\s*(°|º|\ufffd)?\s*[CFcf]$|\s*%\s*(RH)?$|\s*(lx|lux)$", "", t).strip()
    if decimal_comma:
        t = t.replace(",", ".")
    return float(t)  # ValueError is turned into a line error by the caller


def _detect_format(rows: list[list[str]], first_line: str) -> str:
    flat = [c.strip().lower() for row in rows for c in row]
    if first_line.strip().lower().startswith("database valid") or any(
            c.startswith("temperature (") for c in flat):
        return "hanwell"
    if "property" in flat or "s/n" in flat:
        return "tinytag"
    if "date/time" in flat and any(c.startswith("no.") for c in flat):
        return "tandd"
    if "receiver" in flat or "transmitter" in flat or any(" - id:" in c for c in flat) or \
            "timestamp" in flat:
        return "meaco"
    return "csv"


def parse_logger_file(data: bytes, *, filename: str, timezone: str = "UTC") -> ParsedFile:
    """Parse a logger export into readings (aware UTC), duplicates removed.

    Args:
        data: the file's bytes.
        filename: for error messages.
        timezone: the zone of times written without an offset (the logger's clock).

    Raises:
        LoggerFileError: with the line number and the reason.
    """
    if not data.strip():
        raise LoggerFileError(filename, None, "the file is empty.")
    text, encoding = decode(data)
    if "\x00" in text:
        raise LoggerFileError(filename, None, "this is a binary file, not a CSV export.")
    lines = text.splitlines()
    sample = "\n".join(lines[:40])
    delimiter = max([",", "\t", ";"], key=sample.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    try:
        zone = ZoneInfo(timezone)
    except Exception as exc:
        raise LoggerFileError(filename, None, f"unknown time zone {timezone!r}.") from exc

    # 1. The first data row: the first row with a cell that reads as a date and time and another
    #    that is a number (a preamble's "Data Starts:, 00:00 21/Nov/2025" is not a reading).
    first = time_col = None
    for index, row in enumerate(rows):
        for col, cell in enumerate(row):
            if _looks_like_time(cell) and any(
                    re.fullmatch(r"\s*\"?-?\d+([.,]\d+)?\"?\s*", other)
                    for other_col, other in enumerate(row) if other_col != col):
                first, time_col = index, col
                break
        if first is not None:
            break
    if first is None or time_col is None:
        raise LoggerFileError(filename, 1, "no row starts with a date and time; this is not a "
                              "logger export Catalog can read.")

    # 2. Column meanings from the header rows, lowest row first.
    columns: dict[str, int] = {}
    header_cells: dict[int, list[str]] = {}
    for row in reversed(rows[:first]):
        for col, cell in enumerate(row):
            header_cells.setdefault(col, []).append(cell)
            kind = _classify(cell)
            if kind and kind not in columns and col != time_col:
                columns[kind] = col
    if not columns:
        # No header at all: date, temperature, humidity is the common bare layout.
        width = len(rows[first])
        if width >= time_col + 3:
            columns = {"temperature": time_col + 1, "humidity": time_col + 2}
        else:
            raise LoggerFileError(filename, first, "no temperature, humidity or light column "
                                  "is named in the header.")
    fahrenheit = "temperature" in columns and _is_fahrenheit(
        header_cells.get(columns["temperature"], []))
    decimal_comma = delimiter != ","

    # 3. The date format: the first one (in preference order) that reads every row.
    data_rows = [(i + 1, row) for i, row in enumerate(rows[first:], start=first)
                 if any(c.strip() for c in row)]
    stamps = []
    for line, row in data_rows:
        if time_col >= len(row):
            raise LoggerFileError(filename, line, "the row has no date/time column.")
        stamps.append((line, *_normalise_time_text(row[time_col])))
    best_fmt, best_fail = None, None
    locals_: list[datetime] = []
    for fmt in DATETIME_FORMATS:
        if _try_parse(stamps[0][1], fmt) is None:
            continue
        locals_, fail = [], None
        for line, t, _ in stamps:
            value = _try_parse(t, fmt)
            if value is None:
                fail = line
                break
            locals_.append(value)
        if fail is None:
            best_fmt = fmt
            break
        if best_fail is None or fail > best_fail:
            best_fail = fail
    if best_fmt is None:
        line = best_fail or stamps[0][0]
        bad = next(t for ln, t, _ in stamps if ln == line)
        raise LoggerFileError(filename, line, f"cannot read the date/time {bad!r} (the rows "
                              "above use another format).")

    # 4. The readings.
    result = ParsedFile(file_format=_detect_format(rows[:first], next(
                            (ln for ln in lines if ln.strip()), "")),
                        encoding=encoding, fahrenheit=fahrenheit)
    seen: set[datetime] = set()
    previous: datetime | None = None
    for (line, row), (_, _, offset), local in zip(data_rows, stamps, locals_, strict=True):
        if offset:
            taken = local.replace(tzinfo=_offset_zone(offset)).astimezone(UTC)
        else:
            taken = local.replace(tzinfo=zone).astimezone(UTC)
            # The repeated hour when clocks go back: a time that jumps back is the second one.
            if previous is not None and taken <= previous:
                later = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
                if later > previous:
                    taken = later
        previous = taken
        values: dict[str, float | None] = {}
        for kind, col in columns.items():
            cell = row[col] if col < len(row) else ""
            try:
                values[kind] = _number(cell, decimal_comma=decimal_comma)
            except ValueError:
                raise LoggerFileError(filename, line,
                                      f"the {kind} {cell.strip()!r} is not a number.") from None
            if values[kind] is not None and kind == "temperature" and (
                    fahrenheit or re.search(r"°\s?F|ºF", cell)):
                values[kind] = (values[kind] - 32) * 5 / 9  # type: ignore[operator]
        temp, rh, lux = values.get("temperature"), values.get("humidity"), values.get("lux")
        if temp is None and rh is None and lux is None:
            continue  # a logger's empty row (e.g. after a battery change)
        if temp is not None and not -60 <= temp <= 90:
            raise LoggerFileError(filename, line, f"the temperature {temp:.1f} °C is impossible "
                                  "for a museum logger.")
        if rh is not None and not 0 <= rh <= 100:
            raise LoggerFileError(filename, line, f"the relative humidity {rh:g} % is outside "
                                  "0–100 %.")
        if lux is not None and lux < 0:
            raise LoggerFileError(filename, line, f"the illuminance {lux:g} lx is negative.")
        if taken in seen:
            result.duplicates += 1
            continue
        seen.add(taken)
        result.readings.append(ParsedReading(taken, temp, rh, lux, line))
    if not result.readings:
        raise LoggerFileError(filename, None, "the file holds no readings.")
    return result
