"""Reading a CSV (optionally gzipped) or XLSX file into a header row and rows of text."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from catalog.core.errors import ValidationError

FORMATS = ("csv", "xlsx")


def file_format(file_name: str) -> str:
    """``csv`` or ``xlsx`` from the file name; anything else is refused."""
    name = file_name.lower()
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    raise ValidationError("Only CSV (.csv, .csv.gz) and Excel (.xlsx) files can be imported.",
                          field="file")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is neither UTF-8 nor Windows-1252 text.", field="file")


def read_table(path: Path, file_name: str | None = None) -> tuple[list[str], Iterator[list[str]]]:
    """The header row and an iterator of data rows (lists of stripped text)."""
    name = file_name or path.name
    fmt = file_format(name)
    if fmt == "xlsx":
        return _read_xlsx(path)
    raw = path.read_bytes()
    if name.lower().endswith(".gz") or raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except OSError as exc:
            raise ValidationError("The compressed file is damaged.", field="file") from exc
    text = _decode(raw)
    # The delimiter is whichever of , ; tab the header row uses most; quoting is always Excel's.
    header_line = text[:20_000].split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError("The file is empty.", field="file") from None
    return headers, ([cell.strip() for cell in row] for row in reader)


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError("This is not a readable Excel (.xlsx) workbook.",
                              field="file") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell_text(v) for v in next(rows)]
    except StopIteration:
        raise ValidationError("The workbook's first sheet is empty.", field="file") from None

    def data() -> Iterator[list[str]]:
        try:
            for row in rows:
                yield [_cell_text(v) for v in row]
        finally:
            workbook.close()

    return headers, data()
