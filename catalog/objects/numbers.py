"""Object and procedure numbers: normalisation, natural sorting and allocation from schemes.

Two registrars accessioning at the same moment must never get the same number, and the database
has the last word: every numbered table has a unique ``number_key`` (the normalised number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import ValidationError
from catalog.objects.models import NumberCounter, NumberScheme

#: hyphen-like characters people paste from word processors and old catalogues
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACES = re.compile(r"\s+")
#: control characters other than white space (NUL and friends) never belong in a number
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"(\d+)")
_PLACEHOLDER = re.compile(r"\{(year|lot|item|n)(?::(\d{1,2}))?\}")

#: how many numbers a scheme may skip over (already taken by hand) before giving up
_MAX_SKIPS = 1000


def normalise_number(number: str) -> str:
    """The form on which uniqueness is enforced.

    Unicode-compatibility-folded (full-width digits, no-break spaces) and case-folded, every
    dash variant (‐ – — −) turned into ``-``, runs of white space collapsed to one space,
    stripped: ``" 2024–1–1 "``, ``"２０２４-1-1"`` and ``"2024-1-1"`` are the same number.
    """
    number = CONTROL_CHARACTERS.sub("", number)
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", number).casefold())
    text = _DASHES.sub("-", text)
    return _SPACES.sub(" ", text).strip()


def natural_sort_key(number: str) -> str:
    """A string that sorts object numbers the way people read them.

    Each run of digits is written as its length (two digits) followed by the digits without
    leading zeros, so ``9`` → ``019`` and ``10`` → ``0210``: ``2024.2.9`` sorts before
    ``2024.2.10`` however long the runs are (zero-padding to a fixed width breaks on long runs).
    The encoding is self-delimiting, so the order holds even under a collation that ignores
    punctuation. Text between digit runs is compared case-folded.
    """
    parts = []
    for index, part in enumerate(_DIGITS.split(normalise_number(number))):
        if index % 2:  # a digit run
            digits = part.lstrip("0") or "0"
            parts.append(f"{len(digits):02d}{digits}")
        else:
            parts.append(part)
    return "".join(parts)[:300]


@dataclass(frozen=True)
class _Counter:
    year: int
    lot: int


def _placeholders(pattern: str) -> set[str]:
    return {match.group(1) for match in _PLACEHOLDER.finditer(pattern)}


def validate_pattern(pattern: str) -> None:
    """Refuse a pattern that cannot number anything (no running number, unknown placeholder)."""
    names = _placeholders(pattern)
    if not names & {"item", "n"}:
        raise ValidationError("A number pattern needs a running number: {n} or {item}.",
                              field="pattern")
    leftover = _PLACEHOLDER.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        raise ValidationError("Only {year}, {lot}, {item} and {n} (e.g. {n:4}) may be used.",
                              field="pattern")


def format_number(pattern: str, *, year: int, lot: int, n: int) -> str:
    """Fill a pattern: ``format_number("{year}.{lot}.{item}", year=2024, lot=2, n=10)``."""

    def fill(match: re.Match[str]) -> str:
        value = {"year": year, "lot": lot, "item": n, "n": n}[match.group(1)]
        width = int(match.group(2) or 0)
        return str(value).zfill(width)

    return _PLACEHOLDER.sub(fill, pattern)


def _next_value(session: Session, scheme: NumberScheme, counter: _Counter) -> int:
    """Increment one counter row under a row lock and return the new value.

    PostgreSQL: ``INSERT … ON CONFLICT DO NOTHING`` makes sure the row exists without a race,
    then ``SELECT … FOR UPDATE`` holds the row until the transaction ends, so a second registrar
    waits and then sees the first one's number. SQLite has no row locks: Catalog begins every
    write transaction IMMEDIATE, so writers are serialised on the database lock before they read.
    """
    dialect = session.get_bind().dialect.name
    values = {"scheme_id": scheme.id, "year": counter.year, "lot": counter.lot, "last_value": 0}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(NumberCounter).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(NumberCounter).values(**values).on_conflict_do_nothing())
    where = (NumberCounter.scheme_id == scheme.id, NumberCounter.year == counter.year,
             NumberCounter.lot == counter.lot)
    current = session.execute(
        sa.select(NumberCounter.last_value).where(*where).with_for_update()
    ).scalar_one()
    session.execute(sa.update(NumberCounter).where(*where).values(last_value=current + 1))
    return current + 1


def get_scheme(session: Session, code: str) -> NumberScheme:
    scheme = session.scalar(sa.select(NumberScheme).where(NumberScheme.code == code))
    if scheme is None or not scheme.is_active:
        raise ValidationError(f"There is no active number scheme {code!r}.", field="scheme")
    return scheme


def allocate_number(
    session: Session,
    scheme: NumberScheme | str,
    *,
    on: date | None = None,
    lot: int | None = None,
    taken: sa.Column[str] | sa.orm.InstrumentedAttribute[str] | None = None,
) -> str:
    """Give out the next number of ``scheme`` inside the caller's transaction.

    Args:
        scheme: the scheme or its code.
        on: the date whose year fills ``{year}`` (today by default).
        lot: for ``{lot}`` patterns, the lot to add an item to; a new lot when None.
        taken: the ``number_key`` column of the table being numbered; numbers already used there
            (typed in by hand, imported) are skipped rather than handed out twice.

    The number is only reserved when the transaction commits; a rolled-back transaction gives it
    back, so the sequence has no gaps. The unique ``number_key`` stays the final guard.
    """
    if isinstance(scheme, str):
        scheme = get_scheme(session, scheme)
    names = _placeholders(scheme.pattern)
    year = (on or utcnow().date()).year if "year" in names else 0
    if "lot" in names:
        if lot is None:
            lot = _next_value(session, scheme, _Counter(year, 0))
        elif lot < 1:
            raise ValidationError("A lot number is a whole number from 1.", field="lot")
    else:
        lot = 0
    for _ in range(_MAX_SKIPS):
        n = _next_value(session, scheme, _Counter(year, lot))
        number = format_number(scheme.pattern, year=year, lot=lot, n=n)
        if taken is None or session.scalar(
            sa.select(sa.literal(1)).where(taken == normalise_number(number))
        ) is None:
            return number
    raise ValidationError(f"The scheme {scheme.code} has no free number near {number}.",
                          field="scheme")


def peek_number(session: Session, scheme: NumberScheme, *, on: date | None = None) -> str:
    """The number the scheme would give next (a hint for the form; nothing is reserved)."""
    names = _placeholders(scheme.pattern)
    year = (on or utcnow().date()).year if "year" in names else 0

    def last(lot: int) -> int:
        return session.scalar(sa.select(NumberCounter.last_value).where(
            NumberCounter.scheme_id == scheme.id, NumberCounter.year == year,
            NumberCounter.lot == lot)) or 0

    lot = last(0) + 1 if "lot" in names else 0
    return format_number(scheme.pattern, year=year, lot=lot, n=1 if "lot" in names else last(0) + 1)


#: what a scheme may number
SCHEME_TARGETS = {
    "object": "Objects (accession numbers)",
    "entry": "Object entry records",
    "acquisition": "Acquisition records",
    "deaccession": "Deaccession records",
    "loan_in": "Loans in",
    "loan_out": "Loans out",
    "other": "Other",
}


def save_scheme(session: Session, *, actor: object, code: str, name: str, pattern: str,
                applies_to: str, is_active: bool = True,
                scheme: NumberScheme | None = None) -> NumberScheme:
    """Add a number scheme or change one; numbers already given out are never changed."""
    from catalog.core.permissions import check

    check(actor, "vocabularies.edit")
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", code):
        raise ValidationError("A code is lower-case letters, digits and _ (e.g. loan_in).",
                              field="code")
    pattern = (pattern or "").strip()
    validate_pattern(pattern)
    if applies_to not in SCHEME_TARGETS:
        raise ValidationError("Choose what the scheme numbers.", field="applies_to")
    clash = session.scalar(sa.select(NumberScheme.id).where(NumberScheme.code == code))
    if clash is not None and (scheme is None or clash != scheme.id):
        raise ValidationError(f"There is already a scheme {code}.", field="code")
    if scheme is None:
        scheme = NumberScheme(code=code)
        session.add(scheme)
    scheme.code, scheme.name, scheme.pattern = code, (name or "").strip() or code, pattern
    scheme.applies_to, scheme.is_active = applies_to, is_active
    session.flush()
    return scheme
