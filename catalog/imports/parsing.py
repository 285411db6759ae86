"""Reading messy spreadsheet values: object numbers, production dates, dimensions, makers.

Every parser returns what it could read and, when it could not read something, a sentence saying
so. Nothing is guessed: a date we cannot read keeps its text and gets no years, and a dimension we
cannot read keeps its text and gets no structured values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.objects.numbers import natural_sort_key, normalise_number

__all__ = ["natural_sort_key", "normalise_number", "parse_date", "parse_dimensions",
           "parse_makers", "sort_name"]

_SPACES = re.compile(r"\s+")


# ---------------------------------------------------------------------------- production dates

@dataclass(frozen=True)
class ParsedDate:
    """A production date: the text as written and the year range it states (when it states one)."""

    display: str
    earliest: int | None = None
    latest: int | None = None
    #: why no years were read, when the text looks like a date but could not be read
    problem: str | None = None


NO_DATE = {"date not known", "no date", "undated", "n.d.", "nd", "unknown", "not dated"}
# words before the year that say which event the date is, not how certain it is
_EVENT = r"(?:first published|published|exhibited|engraved|printed|cast|made|executed|painted)"
_QUALIFIER = re.compile(rf"^(?:\?\s*)?(?:{_EVENT}\s+)?(?:c\.\s*|circa\s+|ca\.\s*)?(?:\?\s*)?",
                        re.IGNORECASE)
_RANGE = re.compile(r"^(\d{3,4})(s)?(?:\s*[-–—/]\s*(\d{1,4}))?$")
_OR_AND = re.compile(r"^(\d{3,4})\s+(?:or|and)\s+(?:c\.\s*)?(\d{3,4})$")
_CENTURY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th) century$", re.IGNORECASE)
_BEFORE_AFTER = re.compile(r"^(before|after)\s+(?:c\.\s*|circa\s+)?(\d{3,4})$", re.IGNORECASE)


def _complete_end(start: int, end_text: str) -> int:
    """``1850–5`` ends in 1855 and ``1898–02`` in 1902: the end borrows the start's digits."""
    if len(end_text) >= len(str(start)):
        return int(end_text)
    prefix = str(start)[: len(str(start)) - len(end_text)]
    end = int(prefix + end_text)
    if end < start:
        end += 10 ** len(end_text)
    return end


def parse_date(text: str | None) -> ParsedDate | None:
    """Read a production date such as ``c.1850``, ``1850–5``, ``?1820``, ``1830s``,
    ``date not known`` or ``1943, printed 1960`` into display text plus earliest/latest year.

    Only the first statement (before a comma or semicolon) gives the years: later ones say when a
    print was made or a cast taken. Approximate dates keep the stated range; we do not widen it.
    """
    if text is None or not text.strip():
        return None
    display = _SPACES.sub(" ", text.strip())
    lowered = display.lower()
    if lowered in NO_DATE:
        return ParsedDate(display)
    principal = re.split(r"[;,]", display, maxsplit=1)[0].strip()
    match = _BEFORE_AFTER.match(principal)
    if match:
        year = int(match.group(2))
        if match.group(1).lower() == "before":
            return ParsedDate(display, None, year)
        return ParsedDate(display, year, None)
    match = _CENTURY.match(principal)
    if match:
        century = int(match.group(1))
        return ParsedDate(display, (century - 1) * 100, (century - 1) * 100 + 99)
    core = _QUALIFIER.sub("", principal, count=1).strip()
    match = _OR_AND.match(core)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        return ParsedDate(display, min(first, second), max(first, second))
    match = _RANGE.match(core)
    if match:
        start = int(match.group(1))
        if match.group(2):  # 1830s
            if match.group(3) or start % 10:
                return ParsedDate(display, problem="a decade we cannot read; kept as text only")
            if start % 100 == 0:
                return ParsedDate(display, problem="decade or century? kept as text only")
            return ParsedDate(display, start, start + 9)
        end = _complete_end(start, match.group(3)) if match.group(3) else start
        if end < start:
            return ParsedDate(display, problem="the range ends before it starts")
        return ParsedDate(display, start, end)
    return ParsedDate(display, problem="no year range could be read; kept as text only")


# ---------------------------------------------------------------------------------- dimensions

@dataclass(frozen=True)
class Dimension:
    """One measured part, e.g. the support, the frame, the image."""

    part: str | None
    height: Decimal | None
    width: Decimal | None
    depth: Decimal | None
    unit: str
    weight_kg: Decimal | None = None

    def measurements(self) -> list[tuple[str, Decimal, str]]:
        """(dimension, value, unit) rows as the object record stores them."""
        rows = [(name, value, self.unit) for name, value in
                (("height", self.height), ("width", self.width), ("depth", self.depth))
                if value is not None]
        if self.weight_kg is not None:
            rows.append(("weight", self.weight_kg, "kg"))
        return rows


@dataclass(frozen=True)
class ParsedDimensions:
    display: str
    parts: list[Dimension] = field(default_factory=list)
    problem: str | None = None


_NUM = r"(\d+(?:\.\d+)?)"
_DIM_LINE = re.compile(
    rf"^(?:(?P<part>[a-z][a-z &,]*?)\s*:\s*)?{_NUM}\s*[x×]\s*{_NUM}(?:\s*[x×]\s*{_NUM})?\s*"
    rf"(?P<unit>mm|cm|m|in|inches)\.?(?:\s*,\s*{_NUM}\s*kg)?$",
    re.IGNORECASE,
)


def parse_dimensions(text: str | None) -> ParsedDimensions | None:
    """Read ``support: 394 x 419 mm`` (height x width [x depth], one part per line).

    Lines that are not measurements of that form (``display dimensions variable``, durations)
    leave the whole value as text, reported, rather than half-read.
    """
    if text is None or not text.strip():
        return None
    display = text.strip()
    if "\n" in display or "\r" in display:
        display = "\n".join(line.strip() for line in display.splitlines() if line.strip())
    parts: list[Dimension] = []
    for line in display.splitlines():
        match = _DIM_LINE.match(line)
        if not match:
            return ParsedDimensions(display, [], "not a measurement we can read; kept as text only")
        groups = match.groups()
        height, width, depth = groups[1], groups[2], groups[3]
        parts.append(Dimension(
            part=(match.group("part") or None),
            height=Decimal(height), width=Decimal(width),
            depth=Decimal(depth) if depth else None,
            unit=match.group("unit").lower().replace("inches", "in"),
            weight_kg=Decimal(groups[5]) if groups[5] else None,
        ))  # fmt: skip
    return ParsedDimensions(display, parts)


# ------------------------------------------------------------------------------------- makers

_BRACKET_ROLE = re.compile(r"^(?P<name>.+?)\s*\[(?P<role>[^\]]+)\]$")


def parse_makers(names: str | None, roles: str | None = None) -> list[tuple[str, str]]:
    """Makers as (name, role) pairs.

    Accepts the exporter's form ``Name [role] | Name [role]``, a list separated by ``|`` or ``;``,
    and the form where a role column lists one role per maker (``artist; artist``) and the name
    column separates the makers with commas (``A, B``). A role written before the name
    (``attributed to X``) is taken off the name.
    """
    if names is None or not names.strip():
        return []
    role_list = [r.strip() for r in (roles or "").split(";") if r.strip()]
    if "|" in names or ";" in names:
        raw = [n.strip() for n in re.split(r"[|;]", names) if n.strip()]
    elif len(role_list) > 1 and len(names.split(", ")) == len(role_list):
        raw = [n.strip() for n in names.split(", ")]
    else:
        raw = [names.strip()]
    makers: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        role = role_list[index] if index < len(role_list) else (role_list[0] if role_list else "")
        match = _BRACKET_ROLE.match(item)
        name = item
        if match:
            name, role = match.group("name").strip(), match.group("role").strip()
        elif role and role != "artist" and name.lower().startswith(role.lower() + " "):
            name = name[len(role) + 1:].strip()
        makers.append((name[:300], (role or "artist")[:100]))
    return makers


def sort_name(name: str) -> str:
    """``Joseph Mallord William Turner`` → ``Turner, Joseph Mallord William``."""
    parts = name.rsplit(" ", 1)
    if len(parts) == 2 and parts[1][:1].isupper() and "," not in name:
        return f"{parts[1]}, {parts[0]}"[:300]
    return name[:300]
